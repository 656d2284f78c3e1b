import { parseArgs } from "node:util";
import { ExpiresIn, MAX_DEVICES_PER_SECOND, MaxDevicesPerSecond, TokenRole } from "@headless-ops/contracts";
import { createDb } from "@headless-ops/db";
import {
  type Config,
  createCredentialSealerFromKeys,
  createLogger,
  credentialKeysOf,
  exitOnFatal,
  loadConfig,
} from "@headless-ops/runtime";
import type pg from "pg";
import { rotateCredentials } from "./devices/credential-rotation.js";
import { expiryOf } from "./token-expiry.js";
import { createToken } from "./tokens/token-repository.js";

const USAGE = `usage: npm run admin -- <command>
  org create --id 101 --name "Acme"
  org list
  org set --id 101 --max-devices-per-second 500|none
               (the default probe rate limit of the organization's operations; none removes it)
  token create --org 101 [--org 102 ...] [--role admin|operator|viewer] [--name ci] [--expires-in 90d]
               (prints the token once; --expires-in takes m, h, d or w: past it the token answers 401)
  token list
  token revoke <id>
  credentials rotate [--batch-size 500] [--from-id 0]   (re-seals every device under the first key of CREDENTIAL_KEYS)
  ("tokens" works as well as "token")`;

class UsageError extends Error {
  override readonly name = "UsageError";
}

const positiveInt = (value: string | undefined, what: string): number => {
  const n = Number(value);
  if (!value || !Number.isSafeInteger(n) || n <= 0)
    throw new UsageError(`${what} must be a positive integer`);
  return n;
};

async function orgCreate(pool: pg.Pool, args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { id: { type: "string" }, name: { type: "string" } } });
  const id = positiveInt(values.id, "--id");
  if (!values.name) throw new UsageError("--name is required");
  await pool.query(
    "INSERT INTO organizations (id, name) VALUES ($1, $2) ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name",
    [id, values.name],
  );
  console.log(`organization ${id} "${values.name}" saved`);
}

async function orgSet(pool: pg.Pool, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: { id: { type: "string" }, "max-devices-per-second": { type: "string" } },
  });
  const id = positiveInt(values.id, "--id");
  const raw = values["max-devices-per-second"];
  if (raw === undefined) throw new UsageError("--max-devices-per-second is required (a number or none)");
  const rate = raw === "none" ? null : MaxDevicesPerSecond.safeParse(Number(raw));
  if (rate && !rate.success)
    throw new UsageError(
      `--max-devices-per-second must be an integer from 1 to ${MAX_DEVICES_PER_SECOND}, or none`,
    );
  const value = rate ? rate.data : null;
  const res = await pool.query("UPDATE organizations SET max_devices_per_second = $2 WHERE id = $1", [
    id,
    value,
  ]);
  if (res.rowCount === 0) throw new UsageError(`no organization ${id}`);
  console.log(`organization ${id}: max_devices_per_second ${value ?? "none"}`);
}

async function tokenCreate(pool: pg.Pool, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: "string", multiple: true },
      role: { type: "string", default: "operator" },
      name: { type: "string", default: "" },
      "expires-in": { type: "string" },
    },
  });
  const expiresIn = values["expires-in"];
  if (expiresIn !== undefined && !ExpiresIn.safeParse(expiresIn).success)
    throw new UsageError("--expires-in must be a positive count and a unit m, h, d or w, e.g. 90d");
  const orgs = [...new Set((values.org ?? []).map((o) => positiveInt(o, "--org")))];
  if (orgs.length === 0) throw new UsageError("at least one --org is required");
  const role = TokenRole.safeParse(values.role);
  if (!role.success) throw new UsageError("--role must be admin, operator or viewer");
  const known = await pool.query<{ id: string }>(
    "SELECT id FROM organizations WHERE id = ANY($1::bigint[])",
    [orgs],
  );
  const missing = orgs.filter((o) => !known.rows.some((r) => Number(r.id) === o));
  if (missing.length > 0)
    throw new UsageError(`unknown organization(s) ${missing.join(", ")}: create them first`);
  const { view, secret } = await createToken(pool, {
    name: values.name,
    role: role.data,
    organizationIds: orgs,
    expiresAt: expiresIn ? expiryOf(expiresIn) : null,
    createdBy: null,
  });
  const expiry = view.expires_at ? `, expires ${view.expires_at}` : "";
  console.error(
    `token ${view.id} (${role.data}, organizations ${orgs.join(", ")}${expiry}) — shown once, store it now:`,
  );
  console.log(secret);
}

async function tokenRevoke(pool: pg.Pool, args: string[]): Promise<void> {
  const id = positiveInt(args[0], "token id");
  const res = await pool.query(
    "UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1",
    [id],
  );
  if (res.rowCount === 0) throw new UsageError(`no token ${id}`);
  console.log(`token ${id} revoked`);
}

async function list(pool: pg.Pool, what: "org" | "token"): Promise<void> {
  const sql =
    what === "org"
      ? "SELECT id, name, max_devices_per_second, created_at FROM organizations ORDER BY id"
      : `SELECT id, name, role, organization_ids, created_at, expires_at, last_used_at, revoked_at
           FROM api_tokens ORDER BY id`;
  const res = await pool.query(sql);
  console.table(res.rows);
}

async function credentialsRotate(pool: pg.Pool, config: Config, args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      "batch-size": { type: "string", default: "500" },
      "from-id": { type: "string", default: "0" },
    },
  });
  const batchSize = positiveInt(values["batch-size"], "--batch-size");
  const fromId = values["from-id"] === "0" ? "0" : String(positiveInt(values["from-id"], "--from-id"));
  const keys = credentialKeysOf(config);
  if (!keys) throw new UsageError("CREDENTIAL_KEYS (or CREDENTIAL_KEY) must be set to rotate credentials");
  const sealer = createCredentialSealerFromKeys(keys);
  console.error(`re-sealing device credentials under key "${sealer.sealingKeyId}", ${batchSize} per batch`);
  const report = await rotateCredentials(pool, sealer, {
    batchSize,
    fromId,
    onBatch: (r) =>
      console.error(
        `  up to device ${r.last_device_id}: scanned ${r.scanned}, resealed ${r.resealed}, already current ${r.already_current}, failed ${r.failed}`,
      ),
  });
  console.log(JSON.stringify({ key_id: sealer.sealingKeyId, ...report }));
  if (report.failed > 0) {
    console.error(
      `${report.failed} device(s) could not be opened with the configured keys (or are bound to another device): ${report.failed_device_ids.join(", ")}; set their credentials again`,
    );
    process.exitCode = 1;
  }
}

async function run(pool: pg.Pool, argv: string[], config: Config): Promise<void> {
  const [rawNoun, verb, ...rest] = argv;
  const noun = rawNoun === "tokens" ? "token" : rawNoun === "orgs" ? "org" : rawNoun;
  const command = `${noun ?? ""} ${verb ?? ""}`;
  if (command === "org create") return orgCreate(pool, rest);
  if (command === "org list") return list(pool, "org");
  if (command === "org set") return orgSet(pool, rest);
  if (command === "token create") return tokenCreate(pool, rest);
  if (command === "token list") return list(pool, "token");
  if (command === "token revoke") return tokenRevoke(pool, rest);
  if (command === "credentials rotate") return credentialsRotate(pool, config, rest);
  throw new UsageError(noun ? `unknown command: ${command.trim()}` : "no command given");
}

/** `npm run admin -- …`: organizations, API tokens, credential key rotation. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const db = createDb({ url: config.DATABASE_URL, max: 1, applicationName: "admin" });
  try {
    await run(db.pool, process.argv.slice(2), config);
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith("ERR_PARSE_ARGS")) {
      console.error(`${(err as Error).message}\n\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    throw err;
  } finally {
    await db.close();
  }
}

main().catch(exitOnFatal(createLogger("admin", { LOG_LEVEL: "info", LOG_PRETTY: false })));
