import { drizzle, type NodePgDatabase } from "drizzle-orm/node-postgres";
import pg from "pg";
import * as schema from "./schema.js";

// Return int8 as string and keep timestamps as Date: ids exceed 2^53 only in theory,
// but a lossy number would be a silent bug.
pg.types.setTypeParser(pg.types.builtins.INT8, (value) => value);

export type Database = NodePgDatabase<typeof schema> & { $client: pg.Pool };

export type DbHandle = { pool: pg.Pool; db: Database; close: () => Promise<void> };

/** One pool per process; `close()` is idempotent. */
export function createDb(opts: {
  url: string;
  max?: number;
  applicationName?: string;
  onError?: (err: Error) => void;
}): DbHandle {
  const pool = new pg.Pool({
    connectionString: opts.url,
    max: opts.max ?? 10,
    application_name: opts.applicationName ?? "headless-ops",
    connectionTimeoutMillis: 10_000,
    idleTimeoutMillis: 30_000,
  });
  // A lost connection (Postgres restarting) must not crash the process. pg-pool listens for errors
  // only on idle clients; a checked-out client whose server goes away emits 'error' with nobody
  // listening, which Node turns into an uncaught exception even though the query in flight also
  // rejects. Every client gets a listener for its whole life: the failure still reaches the caller as
  // a rejected query, and pg-pool discards the broken client on release.
  const onError = (err: Error) => opts.onError?.(err);
  pool.on("error", onError);
  pool.on("connect", (client) => client.on("error", onError));
  const db = drizzle(pool, { schema }) as Database;
  let closing: Promise<void> | undefined;
  return {
    pool,
    db,
    close: () => {
      closing ??= pool.end();
      return closing;
    },
  };
}

/** Runs `fn` in a transaction on one pooled client (hand-written SQL hot paths use this). */
export async function withTransaction<T>(
  pool: pg.Pool,
  fn: (client: pg.PoolClient) => Promise<T>,
): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    const result = await fn(client);
    await client.query("COMMIT");
    return result;
  } catch (err) {
    await client.query("ROLLBACK").catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
