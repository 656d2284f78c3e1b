import {
  natsNames,
  type OperationCreated,
  operationCreatedMsgId,
  priorityRank,
  StoredOperationRequest,
} from "@headless-ops/contracts";
import { traceparentOf } from "@headless-ops/runtime";
import type { Queryable } from "../queryable.js";

/** A new operation: the normalized request plus what the API knows when it accepts it. */
export type NewOperation = {
  request: StoredOperationRequest;
  /** The API token that created it (null for tools: benchmarks, fault scenarios). */
  createdBy?: string | null;
  idempotencyKey?: string | null;
  targetCount?: number;
  estimatedMinutes?: number;
  retryOf?: string | null;
  /**
   * W3C trace context stored with the operation and its outbox row; default: the active span's (the API
   * request's). The relay publishes the event in it, the scheduler's fan-out continues it.
   */
  traceparent?: string | null;
  /** A schedule's firing: the schedule and its fire time (unique together). */
  scheduleId?: string | null;
  scheduleFireAt?: Date | null;
};

/** The columns every caller gets back; `returning` may ask for more. */
type InsertedBase = { id: string; scheduled_for: Date };

/**
 * The first transition of the state machine: inserts a `scheduled` operation and its
 * `operation.created` outbox row, in the caller's transaction (it must be one, so the event exists
 * exactly when the operation does); the relay publishes the event. The request is checked against
 * `StoredOperationRequest`, so every stored request reads back through that schema.
 * `returning` is the column list of the returned row (the API asks for its view's columns).
 */
export async function insertOperation<Row extends InsertedBase = InsertedBase>(
  client: Queryable,
  natsPrefix: string,
  op: NewOperation,
  returning = "id, scheduled_for",
): Promise<{ row: Row; event: OperationCreated }> {
  const request = StoredOperationRequest.parse(op.request);
  const traceparent = op.traceparent ?? traceparentOf() ?? null;
  const inserted = await client.query<Row>(
    `INSERT INTO operations (operation_type, priority, organization_ids, request, scheduled_for,
        target_device_count, estimated_duration_minutes, created_by, idempotency_key, retry_of,
        schedule_id, schedule_fire_at, traceparent)
     VALUES ($1, $2, $3::bigint[], $4::jsonb, $5, $6, $7, $8, $9, $10, $11, $12, $13)
     RETURNING ${returning}`,
    [
      request.operation_type,
      priorityRank[request.schedule.priority],
      request.target_organizations,
      JSON.stringify(request),
      request.schedule.execute_at,
      op.targetCount ?? 0,
      op.estimatedMinutes ?? 0,
      op.createdBy ?? null,
      op.idempotencyKey ?? null,
      op.retryOf ?? null,
      op.scheduleId ?? null,
      op.scheduleFireAt ?? null,
      traceparent,
    ],
  );
  const row = inserted.rows[0] as Row;
  const event: OperationCreated = {
    v: 1,
    operation_id: row.id,
    priority: request.schedule.priority,
    scheduled_for: row.scheduled_for.toISOString(),
  };
  await client.query(
    "INSERT INTO outbox (subject, msg_id, payload, traceparent) VALUES ($1, $2, $3::jsonb, $4)",
    [
      natsNames(natsPrefix).subjects.operationCreated,
      operationCreatedMsgId(row.id),
      JSON.stringify(event),
      traceparent,
    ],
  );
  return { row, event };
}
