import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument } from "../../../services/api/src/openapi/document.js";
import { renderClientFiles } from "../scripts/render-client.js";

const root = fileURLToPath(new URL("..", import.meta.url));

describe("the committed client", () => {
  it("matches the API's document and its generated types (else: npm run client:generate)", async () => {
    const files = await renderClientFiles(await buildOpenApiDocument());
    for (const [name, text] of Object.entries(files)) {
      const committed = await readFile(`${root}${name}`, "utf8");
      expect(committed === text, `libs/client/${name} is stale: run npm run client:generate`).toBe(true);
    }
  });

  it("is built without PUBLIC_URL, so it does not depend on where it was generated", async () => {
    const committed = JSON.parse(await readFile(`${root}openapi.json`, "utf8"));
    expect(committed.servers).toEqual([{ url: "/", description: expect.any(String) }]);
    expect(committed.openapi).toBe("3.1.0");
  });
});
