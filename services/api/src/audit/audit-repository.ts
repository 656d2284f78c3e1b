import type { AuditEventView } from "@headless-ops/contracts";
import type pg from "pg";
import type { Page } from "../pagination.js";

export type AuditRecord = {
  tokenId: string;
  organizationIds: number[];
  action: string;
  objectType: string;
  objectId: string | null;
  method: string;
  route: string;
  statusCode: number;
  requestId: string;
};

export type AuditFilters = {
  action?: string;
  objectType?: string;
  objectId?: string;
  tokenId?: string;
  since?: string;
  until?: string;
};

type AuditRow = {
  id: string;
  created_at: Date;
  token_id: string | null;
  organization_ids: string[];
  action: string;
  object_type: string;
  object_id: string | null;
  method: string;
  route: string;
  status_code: number;
  request_id: string;
};

export async function insertAuditEvent(pool: pg.Pool, e: AuditRecord): Promise<void> {
  await pool.query(
    `INSERT INTO audit_events
       (token_id, organization_ids, action, object_type, object_id, method, route, status_code, request_id)
     VALUES ($1, $2::bigint[], $3, $4, $5, $6, $7, $8, $9)`,
    [
      e.tokenId,
      e.organizationIds,
      e.action,
      e.objectType,
      e.objectId,
      e.method,
      e.route,
      e.statusCode,
      e.requestId,
    ],
  );
}

function auditView(row: AuditRow): AuditEventView {
  return {
    id: row.id,
    created_at: row.created_at.toISOString(),
    token_id: row.token_id,
    organization_ids: row.organization_ids.map(Number),
    action: row.action,
    object_type: row.object_type,
    object_id: row.object_id,
    method: row.method,
    route: row.route,
    status_code: row.status_code,
    request_id: row.request_id,
  };
}

/** Events an admin of `organizationIds` may read (those of tokens holding only its organizations), newest first. */
export async function listAuditEvents(
  pool: pg.Pool,
  organizationIds: number[],
  f: AuditFilters,
  page: Page,
): Promise<{ count: number; results: AuditEventView[] }> {
  const where = `organization_ids <@ $1::bigint[]
    AND ($2::text IS NULL OR action = $2) AND ($3::text IS NULL OR object_type = $3)
    AND ($4::text IS NULL OR object_id = $4) AND ($5::bigint IS NULL OR token_id = $5)
    AND ($6::timestamptz IS NULL OR created_at >= $6) AND ($7::timestamptz IS NULL OR created_at < $7)`;
  const params = [
    organizationIds,
    f.action ?? null,
    f.objectType ?? null,
    f.objectId ?? null,
    f.tokenId ?? null,
    f.since ?? null,
    f.until ?? null,
  ];
  const [count, rows] = await Promise.all([
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM audit_events WHERE ${where}`, params),
    pool.query<AuditRow>(
      `SELECT * FROM audit_events WHERE ${where} ORDER BY created_at DESC, id DESC LIMIT $8 OFFSET $9`,
      [...params, page.pageSize, page.offset],
    ),
  ]);
  return { count: count.rows[0]?.n ?? 0, results: rows.rows.map(auditView) };
}
