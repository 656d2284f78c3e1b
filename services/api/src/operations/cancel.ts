import { terminalOperationStatuses } from "@headless-ops/contracts";
import { finalizeOperations, withTransaction } from "@headless-ops/db";
import type pg from "pg";
import type { Principal } from "../auth.js";
import { conflict, notFound } from "../errors.js";
import { OPERATION_COLUMNS, type OperationRow } from "./operation-view.js";
import { parseId } from "./query.js";

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
  RETURNING 1
)
UPDATE operations SET processed_devices = processed_devices + (SELECT count(*) FROM moved)::int,
       progress = CASE WHEN total_devices > 0
         THEN floor(100.0 * (processed_devices + (SELECT count(*) FROM moved)) / total_devices)::int
         ELSE progress END,
       updated_at = now()
 WHERE id = $1`;

/**
 * Cancels an operation the token may act on. Scheduled: cancelled at once. In progress: dispatching
 * stops, undispatched devices are cancelled, and it ends `cancelled` when nothing is left running.
 * 409 when it already ended; a second cancel of a running one changes nothing and answers its state.
 */
export async function cancelOperation(
  pool: pg.Pool,
  principal: Principal,
  id: string,
): Promise<OperationRow> {
  const valid = parseId(id);
  if (!valid) throw notFound();
  return withTransaction(pool, async (client) => {
    const found = await client.query<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations
        WHERE id = $1 AND organization_ids <@ $2::bigint[] FOR UPDATE`,
      [valid, principal.organizationIds],
    );
    const op = found.rows[0];
    if (!op) throw notFound();
    if (terminalOperationStatuses.includes(op.status)) {
      throw conflict(`The operation already ended (${op.status}).`, [
        { path: "status", message: `is ${op.status}` },
      ]);
    }
    if (op.status === "scheduled") {
      await client.query(
        `UPDATE operations SET status = 'cancelled', cancel_requested_at = now(), finished_at = now(),
                updated_at = now() WHERE id = $1`,
        [valid],
      );
    } else {
      await client.query(
        `UPDATE operations SET cancel_requested_at = coalesce(cancel_requested_at, now()), updated_at = now()
          WHERE id = $1`,
        [valid],
      );
      await client.query(CANCEL_UNDISPATCHED, [valid, op.fanout_cursor]);
      await finalizeOperations(client, [valid]);
    }
    const after = await client.query<OperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE id = $1`,
      [valid],
    );
    return after.rows[0] as OperationRow;
  });
}
