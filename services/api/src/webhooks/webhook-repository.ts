import type {
  WebhookDeliveryView,
  WebhookEventType,
  WebhookMilestone,
  WebhookView,
} from "@headless-ops/contracts";
import { type CredentialSealer, generateWebhookSecret, webhookSecretBinding } from "@headless-ops/runtime";
import type pg from "pg";
import type { Page } from "../pagination.js";

type WebhookRow = {
  id: string;
  organization_id: string;
  url: string;
  events: WebhookEventType[];
  milestones: number[];
  description: string | null;
  enabled: boolean;
  created_at: Date;
  updated_at: Date;
};

// Never secret_sealed: only the notifier opens it.
const COLUMNS = "id, organization_id, url, events, milestones, description, enabled, created_at, updated_at";
/** Webhooks a token manages: those of its organizations. */
const VISIBLE = "organization_id = ANY($1::bigint[])";

function webhookView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    organization_id: Number(row.organization_id),
    url: row.url,
    events: row.events,
    milestones: row.milestones as WebhookMilestone[],
    description: row.description,
    enabled: row.enabled,
    created_at: row.created_at.toISOString(),
    updated_at: row.updated_at.toISOString(),
  };
}

export type NewWebhook = {
  organizationId: number;
  url: string;
  events: WebhookEventType[];
  milestones: WebhookMilestone[];
  description: string | null;
  enabled: boolean;
  createdBy: string;
};

/** Stores the webhook with its secret sealed; the secret is returned once. */
export async function createWebhook(
  pool: pg.Pool,
  sealer: CredentialSealer,
  hook: NewWebhook,
): Promise<{ view: WebhookView; secret: string }> {
  const secret = generateWebhookSecret();
  // The id is drawn first: the sealed secret is bound to it.
  const idRes = await pool.query<{ id: string }>(
    "SELECT nextval(pg_get_serial_sequence('webhooks', 'id'))::text AS id",
  );
  const id = idRes.rows[0]?.id as string;
  const sealed = sealer.seal(secret, webhookSecretBinding(id, hook.organizationId));
  const res = await pool.query<WebhookRow>(
    `INSERT INTO webhooks (id, organization_id, url, events, milestones, description, enabled, secret_sealed, created_by)
     VALUES ($1, $2, $3, $4::text[], $5::smallint[], $6, $7, $8, $9) RETURNING ${COLUMNS}`,
    [
      id,
      hook.organizationId,
      hook.url,
      hook.events,
      hook.milestones,
      hook.description,
      hook.enabled,
      sealed,
      hook.createdBy,
    ],
  );
  return { view: webhookView(res.rows[0] as WebhookRow), secret };
}

export async function listWebhooks(
  pool: pg.Pool,
  orgs: number[],
  page: Page,
): Promise<{ count: number; results: WebhookView[] }> {
  const [count, rows] = await Promise.all([
    pool.query<{ n: string }>(`SELECT count(*) AS n FROM webhooks WHERE ${VISIBLE}`, [orgs]),
    pool.query<WebhookRow>(
      `SELECT ${COLUMNS} FROM webhooks WHERE ${VISIBLE} ORDER BY id DESC LIMIT $2 OFFSET $3`,
      [orgs, page.pageSize, page.offset],
    ),
  ]);
  return { count: Number(count.rows[0]?.n ?? 0), results: rows.rows.map(webhookView) };
}

export async function getWebhook(
  pool: pg.Pool,
  orgs: number[],
  id: string,
): Promise<WebhookView | undefined> {
  const res = await pool.query<WebhookRow>(`SELECT ${COLUMNS} FROM webhooks WHERE ${VISIBLE} AND id = $2`, [
    orgs,
    id,
  ]);
  return res.rows[0] ? webhookView(res.rows[0]) : undefined;
}

export type WebhookChanges = {
  url?: string;
  events?: WebhookEventType[];
  milestones?: WebhookMilestone[];
  description?: string | null;
  enabled?: boolean;
};

export async function updateWebhook(
  pool: pg.Pool,
  orgs: number[],
  id: string,
  changes: WebhookChanges,
): Promise<WebhookView | undefined> {
  const res = await pool.query<WebhookRow>(
    `UPDATE webhooks SET
       url = COALESCE($3, url),
       events = COALESCE($4::text[], events),
       milestones = COALESCE($5::smallint[], milestones),
       description = CASE WHEN $6::boolean THEN $7 ELSE description END,
       enabled = COALESCE($8, enabled),
       updated_at = now()
     WHERE ${VISIBLE} AND id = $2 RETURNING ${COLUMNS}`,
    [
      orgs,
      id,
      changes.url ?? null,
      changes.events ?? null,
      changes.milestones ?? null,
      changes.description !== undefined,
      changes.description ?? null,
      changes.enabled ?? null,
    ],
  );
  return res.rows[0] ? webhookView(res.rows[0]) : undefined;
}

/** Deletes the webhook and (cascade) its deliveries; false when it is not visible. */
export async function deleteWebhook(pool: pg.Pool, orgs: number[], id: string): Promise<boolean> {
  const res = await pool.query(`DELETE FROM webhooks WHERE ${VISIBLE} AND id = $2`, [orgs, id]);
  return (res.rowCount ?? 0) > 0;
}

type DeliveryRow = {
  id: string;
  webhook_id: string;
  msg_id: string;
  event_type: WebhookEventType;
  operation_id: string | null;
  status: "pending" | "succeeded" | "failed";
  attempts: number;
  next_attempt_at: Date;
  created_at: Date;
  finished_at: Date | null;
  attempt_list: {
    attempted_at: string;
    status_code: number | null;
    latency_ms: number;
    error: string | null;
  }[];
};

const DELIVERY_SELECT = `SELECT d.id, d.webhook_id, d.msg_id, d.event_type, d.operation_id, d.status, d.attempts,
    d.next_attempt_at, d.created_at, d.finished_at,
    COALESCE((SELECT json_agg(json_build_object('attempted_at', a.attempted_at, 'status_code', a.status_code,
        'latency_ms', a.latency_ms, 'error', a.error) ORDER BY a.id)
      FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]') AS attempt_list
  FROM webhook_deliveries d`;

function deliveryView(row: DeliveryRow): WebhookDeliveryView {
  return {
    id: row.id,
    webhook_id: row.webhook_id,
    msg_id: row.msg_id,
    event_type: row.event_type,
    operation_id: row.operation_id,
    status: row.status,
    attempt_count: row.attempts,
    next_attempt_at: row.status === "pending" ? row.next_attempt_at.toISOString() : null,
    created_at: row.created_at.toISOString(),
    finished_at: row.finished_at ? row.finished_at.toISOString() : null,
    attempts: row.attempt_list.map((a) => ({ ...a, attempted_at: new Date(a.attempted_at).toISOString() })),
  };
}

/** Deliveries of one webhook (already checked visible), newest first. */
export async function listDeliveries(
  pool: pg.Pool,
  webhookId: string,
  page: Page,
): Promise<{ count: number; results: WebhookDeliveryView[] }> {
  const [count, rows] = await Promise.all([
    pool.query<{ n: string }>("SELECT count(*) AS n FROM webhook_deliveries WHERE webhook_id = $1", [
      webhookId,
    ]),
    pool.query<DeliveryRow>(
      `${DELIVERY_SELECT} WHERE d.webhook_id = $1 ORDER BY d.id DESC LIMIT $2 OFFSET $3`,
      [webhookId, page.pageSize, page.offset],
    ),
  ]);
  return { count: Number(count.rows[0]?.n ?? 0), results: rows.rows.map(deliveryView) };
}

/**
 * Makes a delivery due now with a fresh retry window (whatever its status); the notifier picks it up on
 * its next poll. Same msg_id, so a receiver that already has it de-duplicates.
 */
export async function redeliver(
  pool: pg.Pool,
  webhookId: string,
  deliveryId: string,
  retryWindowMs: number,
): Promise<WebhookDeliveryView | undefined> {
  const res = await pool.query(
    `UPDATE webhook_deliveries SET status = 'pending', next_attempt_at = now(), finished_at = NULL,
       retry_until = now() + make_interval(secs => $3::double precision / 1000)
     WHERE webhook_id = $1 AND id = $2`,
    [webhookId, deliveryId, retryWindowMs],
  );
  if ((res.rowCount ?? 0) === 0) return undefined;
  const row = await pool.query<DeliveryRow>(`${DELIVERY_SELECT} WHERE d.id = $1`, [deliveryId]);
  return row.rows[0] ? deliveryView(row.rows[0]) : undefined;
}
