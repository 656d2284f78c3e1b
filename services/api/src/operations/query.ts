import { type OperationStatus, type OperationType, StoredOperationRequest } from "@headless-ops/contracts";
import type { Queryable } from "@headless-ops/db";
import type { Principal } from "../auth.js";
import type { Page } from "../pagination.js";
import { OPERATION_COLUMNS, type OperationRow } from "./operation-view.js";

export type OperationFilters = {
  status?: OperationStatus | undefined;
  operationType?: OperationType | undefined;
  organizationId?: number | undefined;
  scheduleId?: string | undefined;
};

/*
 * Tenancy: a token sees an operation only when every organization the operation targets is one
 * of the token's (`<@`, served by the GIN index). An operation spanning another tenant stays invisible.
 */
const VISIBLE = "organization_ids <@ $1::bigint[]";

/** An `operations` row as pg returns it: `request` is still unread jsonb. */
export type RawOperationRow = Omit<OperationRow, "request"> & { request: unknown };

/** Reads `request` through its schema (every writer stores it through libs/db insertOperation, which checks it). */
export function readOperationRow(raw: RawOperationRow): OperationRow {
  return { ...raw, request: StoredOperationRequest.parse(raw.request) };
}

/** A numeric id or nothing: a malformed id is simply not found. */
export function parseId(id: string | undefined): string | undefined {
  return id !== undefined && /^\d{1,18}$/.test(id) ? id : undefined;
}

export async function findOperation(
  db: Queryable,
  principal: Principal,
  id: string | undefined,
): Promise<OperationRow | undefined> {
  const valid = parseId(id);
  if (!valid) return undefined;
  const res = await db.query<RawOperationRow>(
    `SELECT ${OPERATION_COLUMNS} FROM operations WHERE ${VISIBLE} AND id = $2`,
    [principal.organizationIds, valid],
  );
  const row = res.rows[0];
  return row && readOperationRow(row);
}

/** One page of visible operations, newest first, with the total count for the envelope. */
export async function listOperations(
  db: Queryable,
  principal: Principal,
  filters: OperationFilters,
  page: Page,
): Promise<{ count: number; rows: OperationRow[] }> {
  const where = `${VISIBLE}
    AND ($2::text IS NULL OR status = $2)
    AND ($3::text IS NULL OR operation_type = $3)
    AND ($4::bigint IS NULL OR organization_ids @> ARRAY[$4::bigint])
    AND ($5::bigint IS NULL OR schedule_id = $5::bigint)`;
  const params = [
    principal.organizationIds,
    filters.status ?? null,
    filters.operationType ?? null,
    filters.organizationId ?? null,
    filters.scheduleId ?? null,
  ];
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM operations WHERE ${where}`, params),
    db.query<RawOperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations WHERE ${where}
        ORDER BY created_at DESC, id DESC LIMIT $6 OFFSET $7`,
      [...params, page.pageSize, page.offset],
    ),
  ]);
  return { count: count.rows[0]?.n ?? 0, rows: rows.rows.map(readOperationRow) };
}

/** Re-reads rows after the status helpers changed them, keeping the given order. */
export async function reloadOperations(db: Queryable, ids: readonly string[]): Promise<OperationRow[]> {
  if (ids.length === 0) return [];
  const res = await db.query<RawOperationRow>(
    `SELECT ${OPERATION_COLUMNS} FROM operations WHERE id = ANY($1::bigint[])`,
    [ids],
  );
  const byId = new Map(res.rows.map((r) => [r.id, readOperationRow(r)]));
  return ids.flatMap((id) => byId.get(id) ?? []);
}
