import type pg from "pg";

export type LedgerSeed = {
  device_id: string;
  status: "pending" | "dispatched" | "succeeded" | "failed" | "cancelled";
  error_code?: string;
  observed?: Record<string, unknown>;
};

/**
 * Does in SQL what the scheduler does at claim (the scheduler is another service): the operation
 * goes in progress with a ledger row per device; counters stay as the aggregator would leave them
 * (`counters: "stale"` leaves them at zero, for recount tests).
 */
export async function seedRunning(
  pool: pg.Pool,
  operationId: string,
  rows: LedgerSeed[],
  opts: {
    cursor?: string | null;
    counters?: "exact" | "stale";
    startedMinutesAgo?: number;
    timeoutMinutes?: number;
  } = {},
): Promise<void> {
  const started = opts.startedMinutesAgo ?? 1;
  await pool.query(
    `INSERT INTO operation_devices (operation_id, device_id, status, error_code, observed, attempts, finished_at)
     SELECT $1, d, s, e, o::jsonb, CASE WHEN s IN ('pending') THEN 0 ELSE 1 END,
            CASE WHEN s IN ('succeeded', 'failed', 'cancelled') THEN now() - interval '5 seconds' END
       FROM unnest($2::bigint[], $3::text[], $4::text[], $5::text[]) AS u(d, s, e, o)`,
    [
      operationId,
      rows.map((r) => r.device_id),
      rows.map((r) => r.status),
      rows.map((r) => r.error_code ?? null),
      rows.map((r) => (r.observed ? JSON.stringify(r.observed) : null)),
    ],
  );
  const terminal = rows.filter((r) => ["succeeded", "failed", "cancelled"].includes(r.status)).length;
  const failed = rows.filter((r) => r.status === "failed").length;
  const exact = opts.counters !== "stale";
  const summary: Record<string, number> = {};
  for (const r of rows)
    if (r.status === "failed" && r.error_code) summary[r.error_code] = (summary[r.error_code] ?? 0) + 1;
  await pool.query(
    `UPDATE operations SET status = 'in_progress', started_at = now() - make_interval(mins => $2),
            deadline_at = now() - make_interval(mins => $2) + make_interval(mins => $7),
            total_devices = $3, processed_devices = $4, failed_devices = $5, fanout_cursor = $6,
            fanout_done = true, error_summary = $8::jsonb, updated_at = now()
      WHERE id = $1`,
    [
      operationId,
      started,
      rows.length,
      exact ? terminal : 0,
      exact ? failed : 0,
      opts.cursor ?? null,
      opts.timeoutMinutes ?? 60,
      JSON.stringify(exact ? summary : {}),
    ],
  );
}
