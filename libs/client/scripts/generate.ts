import { readFile, writeFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { buildOpenApiDocument } from "../../../services/api/src/openapi/document.js";
import { renderClientFiles } from "./render-client.js";

/*
 * `npm run client:generate`: the API's OpenAPI document (as served, without PUBLIC_URL) to
 * libs/client/openapi.json and its TypeScript types to libs/client/src/schema.ts. Both are committed;
 * libs/client/test/drift.test.ts fails when they no longer match the routes.
 */

const root = fileURLToPath(new URL("..", import.meta.url));
const files = await renderClientFiles(await buildOpenApiDocument());
for (const [name, text] of Object.entries(files)) {
  const path = `${root}${name}`;
  const before = await readFile(path, "utf8").catch(() => "");
  await writeFile(path, text);
  process.stdout.write(`${before === text ? "unchanged" : "written  "} libs/client/${name}\n`);
}
