import type pg from "pg";

/**
 * What the SQL modules need of a connection: a pool, a pooled client or a transaction's client.
 * Functions that must run in the caller's transaction say so in their comment.
 */
export type Queryable = Pick<pg.PoolClient, "query">;
