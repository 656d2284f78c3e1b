import type { Queryable } from "../queryable.js";

/** Tokens taken from an operation's shared bucket: the first may be used `waitMs` from now, then one per `1000 / rate` ms. */
export type RateGrant = { waitMs: number; intervalMs: number };

/**
 * Takes `count` tokens from the operation's bucket in one statement (an upsert: the row appears with
 * the first take). The bucket is virtual time: `next_at` moves on by count / rate from itself, or from
 * now when it lies in the past, so every replica's takes line up on one timeline at `rate` per second
 * and an idle bucket grants no burst. Times are the database's, so replicas' clocks need not agree.
 */
export async function takeRateTokens(
  client: Queryable,
  operationId: string,
  ratePerSecond: number,
  count: number,
): Promise<RateGrant> {
  const res = await client.query<{ wait_ms: number }>(
    `INSERT INTO operation_rate_buckets AS b (operation_id, next_at)
     VALUES ($1::bigint, clock_timestamp() + make_interval(secs => $2::float8 / $3::float8))
     ON CONFLICT (operation_id) DO UPDATE
        SET next_at = greatest(b.next_at, clock_timestamp()) + make_interval(secs => $2::float8 / $3::float8)
     RETURNING (extract(epoch FROM b.next_at - clock_timestamp()) * 1000 - $2::float8 * 1000 / $3::float8)::float8 AS wait_ms`,
    [operationId, count, ratePerSecond],
  );
  const waitMs = res.rows[0]?.wait_ms ?? 0;
  return { waitMs: Math.max(0, waitMs), intervalMs: 1_000 / ratePerSecond };
}
