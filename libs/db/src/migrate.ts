import { existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate } from "drizzle-orm/node-postgres/migrator";
import pg from "pg";
import { type AppRole, grantAppRole } from "./app-role.js";
import { buildSchema, recordSchemaVersion } from "./schema-version.js";

/** The committed SQL migrations, next to `dist/` in the package. */
export const migrationsFolder = join(dirname(fileURLToPath(import.meta.url)), "..", "migrations");

// Any constant works: it only has to be the same for every migrating process.
const MIGRATION_LOCK = 72_616_001;

/** Creates the database named in `url` when it does not exist (connecting to `postgres`). */
export async function ensureDatabase(url: string): Promise<boolean> {
  const target = new URL(url);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ""));
  if (!name) throw new Error("DATABASE_URL names no database");
  const admin = new URL(url);
  admin.pathname = "/postgres";
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    const found = await client.query("SELECT 1 FROM pg_database WHERE datname = $1", [name]);
    if (found.rowCount) return false;
    try {
      await client.query(`CREATE DATABASE ${pg.escapeIdentifier(name)}`);
    } catch (err) {
      // Another process created it between our check and our CREATE.
      if ((err as { code?: string }).code !== "42P04") throw err;
      return false;
    }
    return true;
  } finally {
    await client.end();
  }
}

/**
 * Creates the database if missing and applies every pending migration, under an
 * advisory lock so concurrent migrate runs (a k8s Job and a developer) are safe.
 * Idempotent: a second run applies nothing. With `appRole`, the services' role is then created if
 * missing and granted row access (never schema changes) on every table; `url` must be the owner's.
 */
export async function runMigrations(
  url: string,
  opts: { appRole?: AppRole } = {},
): Promise<{ created: boolean }> {
  if (!existsSync(migrationsFolder)) throw new Error(`no migrations at ${migrationsFolder}`);
  const created = await ensureDatabase(url);
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query("SET client_min_messages = warning");
    await client.query("SELECT pg_advisory_lock($1)", [MIGRATION_LOCK]);
    await migrate(drizzle(client), { migrationsFolder, migrationsSchema: "public" });
    await recordSchemaVersion(client, buildSchema(migrationsFolder));
    if (opts.appRole) await grantAppRole(client, opts.appRole);
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [MIGRATION_LOCK]).catch(() => undefined);
    await client.end();
  }
  return { created };
}
