import type { DeviceResultView, ErrorCode, LedgerStatus, ObservedValues } from "@headless-ops/contracts";
import type pg from "pg";
import type { Page } from "../pagination.js";
import { isoZOrNull } from "../time.js";

type Row = {
  device_id: string;
  hostname: string | null;
  status: LedgerStatus;
  error_code: string | null;
  error_message: string | null;
  observed: ObservedValues | null;
  attempts: number;
  started_at: Date | null;
  finished_at: Date | null;
};

/*
 * There is no per-row write at dispatch: a pending row whose device_id is at or below the
 * operation's fan-out cursor has been dispatched, and is shown (and filtered) as such.
 */
const RENDERED_STATUS = `CASE WHEN od.status = 'pending' AND od.device_id <= coalesce($2::bigint, 0)
  THEN 'dispatched' ELSE od.status END`;

/** One page of an operation's per-device results, in device order. */
export async function listDeviceResults(
  db: Pick<pg.Pool, "query">,
  op: { id: string; fanout_cursor: string | null },
  filters: { status?: LedgerStatus | undefined; errorCode?: ErrorCode | undefined },
  page: Page,
): Promise<{ count: number; results: DeviceResultView[] }> {
  const where = `od.operation_id = $1
    AND ($3::text IS NULL OR ${RENDERED_STATUS} = $3)
    AND ($4::text IS NULL OR od.error_code = $4)`;
  const params = [op.id, op.fanout_cursor, filters.status ?? null, filters.errorCode ?? null];
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM operation_devices od WHERE ${where}`, params),
    db.query<Row>(
      `SELECT od.device_id, d.hostname, ${RENDERED_STATUS} AS status, od.error_code, od.error_message,
              od.observed, od.attempts, od.started_at, od.finished_at
         FROM operation_devices od LEFT JOIN devices d ON d.id = od.device_id
        WHERE ${where}
        ORDER BY od.device_id LIMIT $5 OFFSET $6`,
      [...params, page.pageSize, page.offset],
    ),
  ]);
  return {
    count: count.rows[0]?.n ?? 0,
    results: rows.rows.map((r) => ({
      device_id: r.device_id,
      hostname: r.hostname,
      status: r.status,
      error_code: r.error_code,
      error_message: r.error_message,
      observed: r.observed,
      attempts: r.attempts,
      started_at: isoZOrNull(r.started_at),
      finished_at: isoZOrNull(r.finished_at),
    })),
  };
}
