import type { Queryable } from "../queryable.js";
import { finalizeOperations } from "./finalize.js";
import { applyMovedRows, MOVED_RETURNING } from "./moved-rows.js";

export type RequeueOutcome = {
  /** Operations whose unfinished devices will be fanned out again, with their new dispatch round. */
  requeued: { id: string; dispatchRound: number }[];
  /** Cancel-requested operations whose stuck devices were cancelled, with the operations that ended. */
  cancelled: { id: string; status: string }[];
};

/*
 * "Stuck": in progress, not past its deadline (timeouts handle that), devices still pending or
 * dispatched, and nothing moved (no result folded, no fan-out page) for `stuckAfterMs`.
 * Requeue = new dispatch round (fresh job message ids), cursor reset, fan-out not done: the
 * scheduler re-fans only the non-terminal rows. Duplicated results are harmless downstream.
 */
const REQUEUE = `
UPDATE operations o
   SET dispatch_round = o.dispatch_round + 1, fanout_cursor = NULL, fanout_done = false, updated_at = now()
 WHERE o.status = 'in_progress' AND o.cancel_requested_at IS NULL
   AND ($1::bigint[] IS NULL OR o.id = ANY($1::bigint[]))
   AND o.updated_at < now() - make_interval(secs => $2::double precision / 1000)
   AND (o.deadline_at IS NULL OR o.deadline_at > now())
   AND EXISTS (SELECT 1 FROM operation_devices od
                WHERE od.operation_id = o.id AND od.status IN ('pending', 'dispatched'))
RETURNING o.id, o.dispatch_round`;

/*
 * A cancel-requested operation is never fanned out again, so devices whose jobs were lost would
 * keep it in progress forever: once stuck, they become cancelled too.
 */
const CANCEL_STUCK = `
WITH stuck AS (
  SELECT o.id FROM operations o
   WHERE o.status = 'in_progress' AND o.cancel_requested_at IS NOT NULL
     AND ($1::bigint[] IS NULL OR o.id = ANY($1::bigint[]))
     AND o.updated_at < now() - make_interval(secs => $2::double precision / 1000)
), locked AS (
  SELECT od.operation_id, od.device_id FROM operation_devices od JOIN stuck s ON s.id = od.operation_id
   WHERE od.status IN ('pending', 'dispatched')
   ORDER BY od.operation_id, od.device_id
   FOR UPDATE OF od
), moved AS (
  UPDATE operation_devices od SET status = 'cancelled', finished_at = now()
    FROM locked l
   WHERE od.operation_id = l.operation_id AND od.device_id = l.device_id
     AND od.status IN ('pending', 'dispatched')
  ${MOVED_RETURNING}
)`;

/**
 * Requeues stuck work of in-progress operations (all, or only `operationIds`). Set-based and
 * idempotent within `stuckAfterMs`: a requeued operation counts as fresh again. Call it in a transaction.
 */
export async function requeueStuckOperations(
  client: Queryable,
  opts: { operationIds?: readonly string[]; stuckAfterMs: number; natsPrefix: string },
): Promise<RequeueOutcome> {
  const params = [opts.operationIds ?? null, opts.stuckAfterMs];
  const requeued = await client.query<{ id: string; dispatch_round: number }>(REQUEUE, params);
  const cancelledIds = await applyMovedRows(client, CANCEL_STUCK, params);
  const cancelled = await finalizeOperations(client, [...cancelledIds.keys()], opts.natsPrefix);
  return {
    requeued: requeued.rows.map((r) => ({ id: r.id, dispatchRound: r.dispatch_round })),
    cancelled,
  };
}
