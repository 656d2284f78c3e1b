import type { Queryable } from "../queryable.js";
import { finalizeOperations } from "./finalize.js";
import { applyMovedRows, MOVED_RETURNING } from "./moved-rows.js";

/*
 * Ledger rows are locked in (operation_id, device_id) order before they move, the order the
 * aggregator's fold uses too, so a timeout racing a fold waits instead of deadlocking.
 * A row moves only from pending/dispatched, so a row the aggregator finished first is left alone
 * and counters move by exactly the rows this statement moved (applyMovedRows).
 */
const FAIL_UNFINISHED = `
WITH locked AS (
  SELECT od.operation_id, od.device_id
    FROM operation_devices od
   WHERE od.operation_id = ANY($1::bigint[]) AND od.status IN ('pending', 'dispatched')
   ORDER BY od.operation_id, od.device_id
   FOR UPDATE
), moved AS (
  UPDATE operation_devices od
     SET status = 'failed', error_code = 'operation_timeouts',
         error_message = 'operation timed out before this device finished', finished_at = now()
    FROM locked l
   WHERE od.operation_id = l.operation_id AND od.device_id = l.device_id
     AND od.status IN ('pending', 'dispatched')
  ${MOVED_RETURNING}
)`;

export type TimeoutOutcome = {
  /** In-progress operations past their deadline. */
  expired: string[];
  /** Devices failed with `operation_timeouts`, per operation. */
  timedOut: Map<string, number>;
  /** Operations that ended here, with their final status. */
  finished: { id: string; status: string }[];
};

/**
 * Enforces `options.timeout_minutes`: in every in-progress operation past `deadline_at` (all of
 * them, or only `operationIds`), devices not yet terminal fail with `operation_timeouts`, the
 * counters and `error_summary` move by exactly those rows, and the operation is finalized.
 * Set-based and idempotent: a second call finds nothing to move. Call it inside a transaction.
 */
export async function enforceOperationTimeouts(
  client: Queryable,
  natsPrefix: string,
  operationIds?: readonly string[],
): Promise<TimeoutOutcome> {
  const due = await client.query<{ id: string }>(
    `SELECT id FROM operations
      WHERE status = 'in_progress' AND deadline_at IS NOT NULL AND deadline_at <= now()
        AND ($1::bigint[] IS NULL OR id = ANY($1::bigint[]))
      ORDER BY id`,
    [operationIds ?? null],
  );
  const expired = due.rows.map((r) => r.id);
  if (expired.length === 0) return { expired, timedOut: new Map(), finished: [] };
  const moved = await applyMovedRows(client, FAIL_UNFINISHED, [expired]);
  const finished = await finalizeOperations(client, expired, natsPrefix);
  return { expired, timedOut: new Map([...moved].map(([id, c]) => [id, c.processed])), finished };
}
