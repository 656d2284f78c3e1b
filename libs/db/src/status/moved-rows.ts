import type { Queryable } from "../queryable.js";

/** What the caller's `moved` CTE returns (its UPDATE of operation_devices aliased `od`). */
export const MOVED_RETURNING = "RETURNING od.operation_id, od.status, od.error_code, od.observed";

/** Ledger rows of one operation that a statement moved into a terminal state. */
export type MovedCounts = { processed: number; failed: number };

/*
 * The rule every ledger move follows (result fold, timeouts, stuck cancels, cancel): the operation's
 * counters, error_summary (failed rows by error code, plus `serial_mismatches` from the observed
 * values), the compliance counters (by `observed.compliance.verdict`, see pipeline/compliance-judge.ts)
 * and progress move by exactly the rows that moved, and the ETA is re-estimated — from the
 * caller's recent rate (devices/s) when given, else from the average rate since the operation started.
 * Appended to the caller's WITH list, so it runs in the same statement as the move itself.
 */
const applyTail = (ratesParam: number) => `,
moved_counts AS (
  SELECT operation_id, count(*)::int AS processed, (count(*) FILTER (WHERE status = 'failed'))::int AS failed,
         (count(*) FILTER (WHERE status = 'succeeded'
                             AND observed->'compliance'->>'verdict' = 'compliant'))::int AS compliant,
         (count(*) FILTER (WHERE status = 'succeeded'
                             AND observed->'compliance'->>'verdict' = 'non_compliant'))::int AS non_compliant
    FROM moved GROUP BY operation_id
),
moved_codes AS (
  SELECT operation_id, jsonb_object_agg(code, n) AS summary FROM (
    SELECT operation_id, error_code AS code, count(*) AS n FROM moved
     WHERE status = 'failed' AND error_code IS NOT NULL GROUP BY 1, 2
    UNION ALL
    SELECT operation_id, 'serial_mismatches', count(*) FROM moved
     WHERE (observed->>'serial_mismatch')::boolean GROUP BY 1
  ) x GROUP BY operation_id
),
moved_rates AS (
  SELECT * FROM unnest($${ratesParam}::bigint[], $${ratesParam + 1}::float8[]) AS r(operation_id, per_second)
),
moved_applied AS (
  UPDATE operations o SET
      processed_devices = o.processed_devices + c.processed,
      failed_devices = o.failed_devices + c.failed,
      -- Null (not a compliance_report with a frozen copy) stays null; a moved row without a verdict
      -- (failed, cancelled, timed out, or not judged) is unknown.
      compliance_compliant = o.compliance_compliant + c.compliant,
      compliance_non_compliant = o.compliance_non_compliant + c.non_compliant,
      compliance_unknown = o.compliance_unknown + c.processed - c.compliant - c.non_compliant,
      error_summary = CASE WHEN s.summary IS NULL THEN o.error_summary ELSE (
        SELECT jsonb_object_agg(k, COALESCE((o.error_summary->>k)::int, 0) + COALESCE((s.summary->>k)::int, 0))
          FROM (SELECT jsonb_object_keys(o.error_summary) UNION SELECT jsonb_object_keys(s.summary)) keys(k)
      ) END,
      progress = CASE WHEN o.total_devices > 0
        THEN LEAST(100, floor(100.0 * (o.processed_devices + c.processed) / o.total_devices))::smallint
        ELSE o.progress END,
      estimated_completion = CASE
        WHEN r.per_second > 0
          THEN now() + make_interval(secs => (o.total_devices - o.processed_devices - c.processed) / r.per_second)
        WHEN o.started_at IS NOT NULL AND o.processed_devices + c.processed > 0
          THEN now() + (now() - o.started_at)
               * ((o.total_devices - o.processed_devices - c.processed)::float8 / (o.processed_devices + c.processed))
        ELSE o.estimated_completion END,
      updated_at = now()
    FROM moved_counts c LEFT JOIN moved_codes s ON s.operation_id = c.operation_id
         LEFT JOIN moved_rates r ON r.operation_id = c.operation_id
   WHERE o.id = c.operation_id
  RETURNING o.id
)
SELECT operation_id, processed, failed FROM moved_counts`;

/**
 * Runs a statement that moves ledger rows and, in the same statement, applies the move to the
 * operations (the rule above). `movingSql` is a WITH list with a CTE named `moved` (`moved AS (UPDATE
 * operation_devices od … ${MOVED_RETURNING})`) and no final query; its parameters are `params`
 * ($1…$n). Returns the moved rows per operation.
 */
export async function applyMovedRows(
  client: Queryable,
  movingSql: string,
  params: readonly unknown[],
  recentRates: ReadonlyMap<string, number> = new Map(),
): Promise<Map<string, MovedCounts>> {
  const rateIds = [...recentRates.keys()];
  const res = await client.query<{ operation_id: string; processed: number; failed: number }>(
    movingSql + applyTail(params.length + 1),
    [...params, rateIds, rateIds.map((id) => recentRates.get(id) ?? 0)],
  );
  return new Map(res.rows.map((r) => [r.operation_id, { processed: r.processed, failed: r.failed }]));
}
