import { createLogger, loadConfig } from "@headless-ops/runtime";
import type { OpenAPIV3_1 } from "openapi-types";
import pg from "pg";
import { buildApp } from "../app.js";

/**
 * The OpenAPI document exactly as the API serves it at /docs/json, without a running system: the
 * pool is never connected (routes are only registered). `env` is the environment to configure it
 * from; the committed client document is built without PUBLIC_URL, so it is the same everywhere.
 */
export async function buildOpenApiDocument(
  env: Record<string, string | undefined> = {},
): Promise<OpenAPIV3_1.Document> {
  const config = loadConfig({ ...env, LOG_LEVEL: "silent" });
  const log = createLogger("openapi", config);
  const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: 1 });
  const app = await buildApp({ config, log, db: { pool } });
  try {
    await app.ready();
    return structuredClone(app.swagger()) as OpenAPIV3_1.Document;
  } finally {
    await app.close();
    await pool.end();
  }
}
