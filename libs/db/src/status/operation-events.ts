import { natsNames, progressMilestones } from "@headless-ops/contracts";
import type { Queryable } from "../queryable.js";

/*
 * Outbox rows of the operation lifecycle (started, finished, progress milestones), written in the
 * transaction of the transition they announce; the API's outbox relay publishes them on JetStream.
 * The payloads are the zod schemas of libs/contracts/src/operation-events.ts, built in SQL from the
 * row the transition just wrote; the message ids follow libs/contracts/src/message-ids.ts
 * (`op-<id>-started`, `op-<id>-finished`, `op-<id>-m<25|50|75>`), so a repeat is dropped by JetStream.
 */

/** `organization_ids` (bigint[]) of alias `o` as the events carry them: an array of id strings. */
const orgIds = (o: string) =>
  `(SELECT coalesce(jsonb_agg(x::text), '[]'::jsonb) FROM unnest(${o}.organization_ids) x)`;

/** SELECT list (subject, msg_id, payload) of the finished event of the rows of alias `o`; `$subject` is its subject param. */
export const finishedEventColumns = (
  o: string,
  subject: string,
) => `${subject}::text, 'op-' || ${o}.id || '-finished',
  jsonb_build_object('v', 1, 'operation_id', ${o}.id::text, 'status', ${o}.status,
    'organization_ids', ${orgIds(o)}, 'operation_type', ${o}.operation_type,
    'total_devices', ${o}.total_devices, 'processed_devices', ${o}.processed_devices,
    'failed_devices', ${o}.failed_devices, 'error_summary', ${o}.error_summary, 'finished_at', ${o}.finished_at)`;

/** Writes `operation.finished` for operations that just ended (status terminal, finished_at set). */
export async function writeFinishedEvents(
  client: Queryable,
  natsPrefix: string,
  operationIds: readonly string[],
): Promise<void> {
  if (operationIds.length === 0) return;
  await client.query(
    `INSERT INTO outbox (subject, msg_id, payload)
     SELECT ${finishedEventColumns("o", "$1")} FROM operations o
      WHERE o.id = ANY($2::bigint[]) AND o.finished_at IS NOT NULL`,
    [natsNames(natsPrefix).subjects.operationFinished, operationIds],
  );
}

/** Writes `operation.started` for an operation the scheduler just claimed (scheduled → in_progress). */
export async function writeStartedEvent(
  client: Queryable,
  natsPrefix: string,
  operationId: string,
): Promise<void> {
  await client.query(
    `INSERT INTO outbox (subject, msg_id, payload)
     SELECT $1, 'op-' || o.id || '-started',
            jsonb_build_object('v', 1, 'operation_id', o.id::text, 'status', o.status,
              'organization_ids', ${orgIds("o")}, 'operation_type', o.operation_type,
              'total_devices', o.total_devices, 'started_at', o.started_at)
       FROM operations o WHERE o.id = $2 AND o.status = 'in_progress'`,
    [natsNames(natsPrefix).subjects.operationStarted, operationId],
  );
}

/**
 * Writes `operation.progress_milestone` for each milestone (25/50/75 %) the progress crossed in this
 * move: before it, `processed - moved` devices were done. Ledger rows move into a terminal state only
 * once, so each milestone is crossed (and written) once per operation.
 */
export async function writeMilestoneEvents(
  client: Queryable,
  natsPrefix: string,
  movedByOperation: ReadonlyMap<string, number>,
): Promise<void> {
  if (movedByOperation.size === 0) return;
  const ids = [...movedByOperation.keys()];
  await client.query(
    `INSERT INTO outbox (subject, msg_id, payload)
     SELECT $1, 'op-' || o.id || '-m' || m,
            jsonb_build_object('v', 1, 'operation_id', o.id::text, 'milestone', m,
              'organization_ids', ${orgIds("o")}, 'operation_type', o.operation_type,
              'processed_devices', o.processed_devices, 'total_devices', o.total_devices)
       FROM unnest($2::bigint[], $3::int[]) AS c(id, moved)
       JOIN operations o ON o.id = c.id
       CROSS JOIN unnest($4::int[]) AS m
      WHERE o.total_devices > 0
        AND floor(100.0 * (o.processed_devices - c.moved) / o.total_devices) < m
        AND floor(100.0 * o.processed_devices / o.total_devices) >= m
      ORDER BY o.id, m`,
    [
      natsNames(natsPrefix).subjects.operationMilestone,
      ids,
      ids.map((id) => movedByOperation.get(id) ?? 0),
      [...progressMilestones],
    ],
  );
}
