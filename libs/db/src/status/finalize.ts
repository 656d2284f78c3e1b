import { natsNames } from "@headless-ops/contracts";
import type { Queryable } from "../queryable.js";
import { finishedEventColumns } from "./operation-events.js";

/**
 * Ends every given in-progress operation whose devices are all terminal
 * (processed_devices >= total_devices), with the status clients see:
 * cancel requested → cancelled; every device failed → failed; some failed →
 * completed_with_errors; else completed. The one place this rule lives:
 * the aggregator, cancel, timeouts and the scheduler (empty operations) all call it. In the same
 * statement it writes each ended operation's `operation.finished` outbox row (prefix `natsPrefix`),
 * so the event exists exactly when the terminal state does.
 */
export async function finalizeOperations(
  client: Queryable,
  operationIds: readonly string[],
  natsPrefix: string,
): Promise<{ id: string; status: string }[]> {
  if (operationIds.length === 0) return [];
  const res = await client.query<{ id: string; status: string }>(
    `WITH ended AS (
     UPDATE operations SET
       status = CASE
         WHEN cancel_requested_at IS NOT NULL THEN 'cancelled'
         WHEN total_devices > 0 AND failed_devices >= total_devices THEN 'failed'
         WHEN failed_devices > 0 THEN 'completed_with_errors'
         ELSE 'completed'
       END,
       progress = 100,
       finished_at = now(),
       estimated_completion = now(),
       updated_at = now()
     WHERE id = ANY($1::bigint[])
       AND status = 'in_progress'
       AND processed_devices >= total_devices
     RETURNING *
   ), events AS (
     INSERT INTO outbox (subject, msg_id, payload) SELECT ${finishedEventColumns("ended", "$2")} FROM ended
   )
   SELECT id, status FROM ended`,
    [operationIds, natsNames(natsPrefix).subjects.operationFinished],
  );
  return res.rows;
}
