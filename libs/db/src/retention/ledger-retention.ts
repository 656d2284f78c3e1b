import { terminalOperationStatuses } from "@headless-ops/contracts";
import type { Queryable } from "../queryable.js";

/*
 * Retention of the per-device ledger. A finished operation keeps its row (counters, error_summary,
 * progress: what the API shows), but its operation_devices rows go once it finished more than
 * OPERATION_RETENTION_DAYS ago. One statement deletes at most `batchSize` rows of the oldest such
 * operation, in its own short transaction, so no lock is held long and autovacuum keeps up between
 * batches. `FOR UPDATE SKIP LOCKED` lets two scheduler replicas sweep at once without waiting on
 * each other (each takes rows the other has not locked). The ledger primary key starts with
 * operation_id, so both the EXISTS and the row pick are index range lookups.
 */
const PRUNE_BATCH = `
WITH due AS (
  SELECT o.id FROM operations o
   WHERE o.status = ANY($1::text[]) AND o.finished_at < now() - make_interval(days => $2::int)
     AND EXISTS (SELECT 1 FROM operation_devices x WHERE x.operation_id = o.id)
   ORDER BY o.finished_at, o.id
   LIMIT 1
), victims AS (
  SELECT od.operation_id, od.device_id FROM operation_devices od JOIN due ON od.operation_id = due.id
   LIMIT $3
   FOR UPDATE OF od SKIP LOCKED
)
DELETE FROM operation_devices od USING victims v
 WHERE od.operation_id = v.operation_id AND od.device_id = v.device_id`;

export type PruneOutcome = { deleted: number; batches: number };

/**
 * Deletes expired ledger rows in batches of `batchSize` (each its own statement on `client`, which
 * must not be inside a transaction), until nothing is due or `maxBatches` ran.
 */
export async function pruneExpiredLedger(
  client: Queryable,
  opts: { retentionDays: number; batchSize: number; maxBatches: number },
): Promise<PruneOutcome> {
  let deleted = 0;
  let batches = 0;
  while (batches < opts.maxBatches) {
    const res = await client.query(PRUNE_BATCH, [
      terminalOperationStatuses,
      opts.retentionDays,
      opts.batchSize,
    ]);
    const n = res.rowCount ?? 0;
    if (n === 0) break;
    deleted += n;
    batches += 1;
  }
  return { deleted, batches };
}
