import { type OperationStatus, terminalOperationStatuses } from "@headless-ops/contracts";
import type { Queryable } from "../queryable.js";
import { finalizeOperations } from "./finalize.js";
import { applyMovedRows, MOVED_RETURNING } from "./moved-rows.js";
import { writeFinishedEvents } from "./operation-events.js";

/*
 * Devices never dispatched (pending, beyond the fan-out cursor) become cancelled at once and count
 * as processed; dispatched ones finish (probers report `cancelled` for jobs of cancelled operations)
 * and the aggregator ends the operation. Rows are locked in device order, as the aggregator does.
 */
const CANCEL_UNDISPATCHED = `
WITH locked AS (
  SELECT device_id FROM operation_devices
   WHERE operation_id = $1 AND status = 'pending' AND device_id > coalesce($2::bigint, 0)
   ORDER BY device_id FOR UPDATE
), moved AS (
  UPDATE operation_devices od SET status = 'cancelled', finished_at = now()
    FROM locked l
   WHERE od.operation_id = $1 AND od.device_id = l.device_id AND od.status = 'pending'
  ${MOVED_RETURNING}
)`;

/**
 * The cancel transition, in the caller's transaction. Scheduled: cancelled at once. In progress:
 * cancel requested (dispatching stops, probers skip), undispatched devices cancelled, and the
 * operation ends `cancelled` when nothing is left running. An operation that already ended is left
 * as it is. Returns the status it had before, or undefined when it does not exist.
 */
export async function cancelStoredOperation(
  client: Queryable,
  natsPrefix: string,
  operationId: string,
): Promise<OperationStatus | undefined> {
  const found = await client.query<{ status: OperationStatus; fanout_cursor: string | null }>(
    "SELECT status, fanout_cursor FROM operations WHERE id = $1 FOR UPDATE",
    [operationId],
  );
  const op = found.rows[0];
  if (!op || terminalOperationStatuses.includes(op.status)) return op?.status;
  if (op.status === "scheduled") {
    await client.query(
      `UPDATE operations SET status = 'cancelled', cancel_requested_at = now(), finished_at = now(),
              updated_at = now() WHERE id = $1`,
      [operationId],
    );
    await writeFinishedEvents(client, natsPrefix, [operationId]);
    return op.status;
  }
  await client.query(
    `UPDATE operations SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
      WHERE id = $1`,
    [operationId],
  );
  await applyMovedRows(client, CANCEL_UNDISPATCHED, [operationId, op.fanout_cursor]);
  await finalizeOperations(client, [operationId], natsPrefix);
  return op.status;
}
