import { randomBytes } from "node:crypto";
import { createDb, type DbHandle } from "@headless-ops/db";
import { type Config, createLogger, loadConfig } from "@headless-ops/runtime";
import { createTestContext, type TestContext } from "@headless-ops/testkit";
import type { FastifyInstance } from "fastify";
import { type BuildAppOptions, buildApp } from "../src/app.js";
import { generateToken, hashToken } from "../src/tokens.js";
import { attachContractCheck } from "./contract.js";

export const OPS = "/api/v1/inventory_device_serial_headless_operation/";
export const DEVICES = "/api/v1/devices/";

export type Harness = {
  ctx: TestContext;
  config: Config;
  db: DbHandle;
  app: FastifyInstance;
  /** Responses that did not match the served OpenAPI document; `close()` fails when any is left. */
  contractFailures: string[];
  /** Creates a token in the database and returns its Authorization header. */
  token: (orgs: number[], role?: "admin" | "operator" | "viewer") => Promise<{ id: string; auth: string }>;
  close: () => Promise<void>;
};

/** A fresh database and NATS prefix, organizations 101–103, and the app ready for `inject()`. */
export async function startHarness(
  extra: Partial<BuildAppOptions> = {},
  env: Record<string, string> = {},
): Promise<Harness> {
  const ctx = await createTestContext();
  const config = loadConfig({ ...ctx.env, CREDENTIAL_KEY: randomBytes(32).toString("base64"), ...env });
  const log = createLogger("api-test", config);
  const db = createDb({ url: ctx.databaseUrl, max: 5 });
  await db.pool.query(
    "INSERT INTO organizations (id, name) VALUES (101, 'Acme'), (102, 'Beta'), (103, 'Gamma')",
  );
  const app = await buildApp({ config, log, db, ...extra });
  const contractFailures = attachContractCheck(app);
  return {
    ctx,
    config,
    db,
    app,
    contractFailures,
    token: async (orgs, role = "operator") => {
      const token = generateToken();
      const res = await db.pool.query<{ id: string }>(
        "INSERT INTO api_tokens (token_hash, role, organization_ids) VALUES ($1, $2, $3::bigint[]) RETURNING id",
        [hashToken(token), role, orgs],
      );
      return { id: res.rows[0]?.id as string, auth: `Bearer ${token}` };
    },
    close: async () => {
      await app.close();
      await db.close();
      await ctx.cleanup();
      if (contractFailures.length > 0) {
        const shown = [...new Set(contractFailures)].slice(0, 20).join("\n  ");
        throw new Error(
          `${contractFailures.length} responses do not match the OpenAPI document:\n  ${shown}`,
        );
      }
    },
  };
}

let hostSeq = 0;
/** A device body with a unique hostname. */
export function device(org: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  hostSeq += 1;
  return { organization_id: org, hostname: `dev-${hostSeq}`, device_type: "router", ...fields };
}

/** The reference's POST example, targeting the given organizations. */
export function referenceBody(orgs: number[] = [101, 102, 103]): Record<string, unknown> {
  return {
    operation_type: "bulk_serial_sync",
    target_organizations: orgs,
    device_filters: { types: ["router", "switch"], status: ["active", "pending"] },
    schedule: { execute_at: "2024-01-16T02:00:00Z", priority: "normal" },
    options: { update_firmware_info: true, validate_connectivity: true, timeout_minutes: 120 },
  };
}
