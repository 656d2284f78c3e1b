import type { WebhookEventType } from "@headless-ops/contracts";
import type { Queryable } from "@headless-ops/db";

/*
 * The notifier's SQL. A delivery is one message to one webhook; due rows are claimed by moving
 * `next_attempt_at` past a lease (FOR UPDATE SKIP LOCKED, so replicas share the work), so a notifier
 * killed mid-attempt leaves the row due again once the lease runs out: at least once, never lost.
 */

export type EventToDeliver = {
  /** The event's message id (`op-<id>-finished`); with the webhook id it makes the `webhook-id`. */
  eventMsgId: string;
  type: WebhookEventType;
  operationId: string;
  organizationIds: string[];
  milestone: number | null;
  /** The Standard Webhooks body: `{ type, timestamp, data }`. */
  payload: unknown;
  retryWindowMs: number;
};

/** One row per matching enabled webhook; a redelivered event adds nothing (unique webhook + msg id). */
export async function recordDeliveries(db: Queryable, event: EventToDeliver): Promise<number> {
  const res = await db.query(
    `INSERT INTO webhook_deliveries (webhook_id, msg_id, event_type, operation_id, payload, retry_until)
     SELECT w.id, 'msg_' || $1 || '_w' || w.id, $2, $3, $4::jsonb,
            now() + make_interval(secs => $7::double precision / 1000)
       FROM webhooks w
      WHERE w.enabled AND $2 = ANY(w.events) AND w.organization_id = ANY($5::bigint[])
        AND ($6::smallint IS NULL OR $6::smallint = ANY(w.milestones))
     ON CONFLICT (webhook_id, msg_id) DO NOTHING`,
    [
      event.eventMsgId,
      event.type,
      event.operationId,
      JSON.stringify(event.payload),
      event.organizationIds,
      event.milestone,
      event.retryWindowMs,
    ],
  );
  return res.rowCount ?? 0;
}

export type ClaimedDelivery = {
  id: string;
  webhook_id: string;
  organization_id: string;
  msg_id: string;
  payload: unknown;
  attempts: number;
  retry_until: Date;
  url: string;
  secret_sealed: Buffer;
};

/** Claims up to `limit` due deliveries of enabled webhooks for `leaseMs`. */
export async function claimDue(db: Queryable, limit: number, leaseMs: number): Promise<ClaimedDelivery[]> {
  const res = await db.query<ClaimedDelivery>(
    `WITH due AS (
       SELECT d.id FROM webhook_deliveries d JOIN webhooks w ON w.id = d.webhook_id
        WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND w.enabled
        ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED)
     UPDATE webhook_deliveries d SET next_attempt_at = now() + make_interval(secs => $2::double precision / 1000)
       FROM due, webhooks w
      WHERE d.id = due.id AND w.id = d.webhook_id
     RETURNING d.id, d.webhook_id, w.organization_id, d.msg_id, d.payload, d.attempts, d.retry_until,
               w.url, w.secret_sealed`,
    [limit, leaseMs],
  );
  return res.rows;
}

export type AttemptRecord = {
  deliveryId: string;
  statusCode: number | null;
  latencyMs: number;
  error: string | null;
  /** `succeeded`, `failed` (given up) or `pending` with the next attempt's time. */
  outcome: { status: "succeeded" | "failed" } | { status: "pending"; nextAttemptAt: Date };
};

/** Stores the attempt and moves the delivery on, in one statement. */
export async function recordAttempt(db: Queryable, a: AttemptRecord): Promise<void> {
  await db.query(
    `WITH attempt AS (
       INSERT INTO webhook_attempts (delivery_id, status_code, latency_ms, error) VALUES ($1, $2, $3, $4))
     UPDATE webhook_deliveries SET attempts = attempts + 1, status = $5,
       next_attempt_at = COALESCE($6, next_attempt_at),
       finished_at = CASE WHEN $5 = 'pending' THEN NULL ELSE now() END
      WHERE id = $1`,
    [
      a.deliveryId,
      a.statusCode,
      a.latencyMs,
      a.error?.slice(0, 500) ?? null,
      a.outcome.status,
      a.outcome.status === "pending" ? a.outcome.nextAttemptAt : null,
    ],
  );
}
