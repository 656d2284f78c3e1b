import type { Queryable } from "../queryable.js";
import { finalizeOperations } from "./finalize.js";

/*
 * Counters, error_summary, progress and ETA of in-progress operations, recomputed from the
 * ledger (the source of truth): error_summary counts failed rows by error code, plus the audit's
 * `serial_mismatches` (rows whose observed values carry `serial_mismatch`); a compliance_report's
 * verdict counters from `observed.compliance`. The ETA uses the rate of the last `$2` seconds, or the average
 * rate since the start when nothing finished recently; without any rate it is left as it was.
 */
const RECOUNT = `
WITH agg AS (
  SELECT operation_id,
         count(*)::int AS total,
         count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'cancelled'))::int AS processed,
         count(*) FILTER (WHERE status = 'failed')::int AS failed,
         count(*) FILTER (WHERE status = 'succeeded'
                            AND observed->'compliance'->>'verdict' = 'compliant')::int AS compliant,
         count(*) FILTER (WHERE status = 'succeeded'
                            AND observed->'compliance'->>'verdict' = 'non_compliant')::int AS non_compliant,
         count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'cancelled')
                            AND finished_at > now() - make_interval(secs => $2))::int AS recent
    FROM operation_devices WHERE operation_id = ANY($1::bigint[])
   GROUP BY operation_id
), errs AS (
  SELECT operation_id, jsonb_object_agg(code, n) AS summary
    FROM (SELECT operation_id, error_code AS code, count(*)::int AS n FROM operation_devices
           WHERE operation_id = ANY($1::bigint[]) AND status = 'failed' AND error_code IS NOT NULL
           GROUP BY operation_id, error_code
          UNION ALL
          SELECT operation_id, 'serial_mismatches', count(*)::int FROM operation_devices
           WHERE operation_id = ANY($1::bigint[]) AND (observed ->> 'serial_mismatch')::boolean
           GROUP BY operation_id) e
   GROUP BY operation_id
), ops AS (
  SELECT o.id, coalesce(a.total, 0) AS total, coalesce(a.processed, 0) AS processed,
         coalesce(a.failed, 0) AS failed, coalesce(x.summary, '{}'::jsonb) AS summary,
         coalesce(a.compliant, 0) AS compliant, coalesce(a.non_compliant, 0) AS non_compliant,
         CASE WHEN coalesce(a.recent, 0) > 0 THEN a.recent / $2::double precision
              WHEN coalesce(a.processed, 0) > 0 AND o.started_at IS NOT NULL
                THEN a.processed / greatest(extract(epoch FROM now() - o.started_at), 1)
         END AS rate
    FROM operations o LEFT JOIN agg a ON a.operation_id = o.id LEFT JOIN errs x ON x.operation_id = o.id
   WHERE o.id = ANY($1::bigint[]) AND o.status = 'in_progress'
)
UPDATE operations o
   SET total_devices = ops.total,
       processed_devices = ops.processed,
       failed_devices = ops.failed,
       error_summary = ops.summary,
       -- Compliance counters only where the claim started them (null stays null).
       compliance_compliant = CASE WHEN o.compliance_compliant IS NOT NULL THEN ops.compliant END,
       compliance_non_compliant = CASE WHEN o.compliance_non_compliant IS NOT NULL THEN ops.non_compliant END,
       compliance_unknown = CASE WHEN o.compliance_unknown IS NOT NULL
                                 THEN ops.processed - ops.compliant - ops.non_compliant END,
       progress = CASE WHEN ops.total > 0 THEN floor(100.0 * ops.processed / ops.total)::int ELSE 0 END,
       estimated_completion = CASE
         WHEN ops.processed >= ops.total THEN now()
         WHEN ops.rate IS NOT NULL THEN now() + make_interval(secs => (ops.total - ops.processed) / ops.rate)
         ELSE o.estimated_completion END,
       updated_at = CASE
         WHEN (o.total_devices, o.processed_devices, o.failed_devices) IS DISTINCT FROM
              (ops.total, ops.processed, ops.failed) THEN now()
         ELSE o.updated_at END
  FROM ops
 WHERE o.id = ops.id
RETURNING o.id`;

/** Seconds of recent history the ETA's rate is measured over. */
export const ETA_WINDOW_SECONDS = 60;

/**
 * Recounts in-progress operations from their ledger and finalizes those whose devices are all
 * terminal. Operations in other states are left alone (scheduled ones have no ledger yet,
 * finished ones are final). Returns the recounted ids and the operations that ended.
 */
export async function recountOperations(
  client: Queryable,
  natsPrefix: string,
  operationIds: readonly string[],
): Promise<{ recounted: string[]; finished: { id: string; status: string }[] }> {
  if (operationIds.length === 0) return { recounted: [], finished: [] };
  const res = await client.query<{ id: string }>(RECOUNT, [operationIds, ETA_WINDOW_SECONDS]);
  const recounted = res.rows.map((r) => r.id);
  const finished = await finalizeOperations(client, recounted, natsPrefix);
  return { recounted, finished };
}
