import { readFileSync } from "node:fs";
import { join } from "node:path";
import { PG_UNDEFINED_TABLE, pgErrorCode } from "./pg-errors.js";
import type { Queryable } from "./queryable.js";

/** Marks a migration that removes or renames what the release named still reads (see libs/db/README.md). */
export const CONTRACT_MARKER = /^--\s*contract:\s*\S+/m;

export type BuildSchema = {
  /** Migrations this build ships (its schema version). */
  migrations: number;
  /** The fewest migrations a build must know to use a database with all of these applied. */
  oldestReader: number;
};

/** What the migrations folder of this build holds: the journal's entries, and its contract migrations. */
export function buildSchema(migrationsFolder: string): BuildSchema {
  const journal = JSON.parse(readFileSync(join(migrationsFolder, "meta", "_journal.json"), "utf8")) as {
    entries: { idx: number; tag: string }[];
  };
  let oldestReader = 0;
  for (const entry of journal.entries) {
    const sql = readFileSync(join(migrationsFolder, `${entry.tag}.sql`), "utf8");
    if (CONTRACT_MARKER.test(sql)) oldestReader = entry.idx + 1;
  }
  return { migrations: journal.entries.length, oldestReader };
}

/** Records the schema version after migrate; a rollback's older migrate never lowers it. */
export async function recordSchemaVersion(client: Queryable, build: BuildSchema): Promise<void> {
  await client.query(
    `INSERT INTO schema_version (id, migrations, oldest_reader) VALUES (1, $1, $2)
     ON CONFLICT (id) DO UPDATE SET migrations = EXCLUDED.migrations, oldest_reader = EXCLUDED.oldest_reader,
       updated_at = now()
     WHERE schema_version.migrations <= EXCLUDED.migrations`,
    [build.migrations, build.oldestReader],
  );
}

export class SchemaTooNewError extends Error {
  override readonly name = "SchemaTooNewError";
  readonly code = "schema_too_new";
  /** exitOnFatal logs the message itself as the fatal line: it says what to do. */
  readonly fatalLine = true;
  constructor(
    readonly database: number,
    readonly known: number,
  ) {
    super(
      `database schema ${database} is newer than this build knows (${known}): upgrade the service or roll back the migration`,
    );
  }
}

export type SchemaCheck =
  | { status: "current" | "behind" | "unrecorded"; database: number; known: number }
  | { status: "ahead-compatible"; database: number; known: number };

/**
 * Compares the database's schema version with this build's. A database ahead by expand-only
 * migrations is fine (old and new pods run side by side during a rolling upgrade); ahead past a
 * contract migration this build predates, the service must not start: throws SchemaTooNewError.
 * A database without `schema_version` (not migrated by this release's migrate yet) is `unrecorded`.
 */
export async function checkSchemaVersion(client: Queryable, build: BuildSchema): Promise<SchemaCheck> {
  let row: { migrations: number; oldest_reader: number } | undefined;
  try {
    const res = await client.query<{ migrations: number; oldest_reader: number }>(
      "SELECT migrations, oldest_reader FROM schema_version WHERE id = 1",
    );
    row = res.rows[0];
  } catch (err) {
    if (pgErrorCode(err) !== PG_UNDEFINED_TABLE) throw err;
  }
  const known = build.migrations;
  if (!row) return { status: "unrecorded", database: 0, known };
  const database = row.migrations;
  if (database > known) {
    if (row.oldest_reader > known) throw new SchemaTooNewError(database, known);
    return { status: "ahead-compatible", database, known };
  }
  return { status: database === known ? "current" : "behind", database, known };
}

/**
 * Start-up guard of every service: logs where the schema stands; throws SchemaTooNewError. A database
 * that cannot be reached is logged and let through (the services wait for Postgres as before).
 */
export async function assertSchemaUsable(
  client: Queryable,
  build: BuildSchema,
  log: { warn: (obj: object, msg: string) => void },
): Promise<SchemaCheck> {
  let check: SchemaCheck;
  try {
    check = await checkSchemaVersion(client, build);
  } catch (err) {
    if (err instanceof SchemaTooNewError) throw err;
    // Postgres unreachable at start: the API serves (readyz failing) rather than crash-looping, as
    // before this check; the version is checked by the next start.
    log.warn({ err }, "schema version not checked: database unreachable");
    return { status: "unrecorded", database: 0, known: build.migrations };
  }
  if (check.status === "ahead-compatible")
    log.warn(check, "database schema is ahead of this build by expand-only migrations; running");
  else if (check.status !== "current") log.warn(check, "database schema is behind this build: run migrate");
  return check;
}
