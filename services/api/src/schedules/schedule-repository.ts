import type { CreateScheduleBody, StoredOperationRequest, UpdateScheduleBody } from "@headless-ops/contracts";
import { cronProblem, nextFireAfter, type Queryable } from "@headless-ops/db";
import type { Principal } from "../auth.js";
import { unprocessable } from "../errors.js";
import { normalizeRequest } from "../operations/normalize.js";
import { parseId } from "../operations/query.js";
import type { Page } from "../pagination.js";
import { SCHEDULE_COLUMNS, type ScheduleRow, type ScheduleRunRow } from "./schedule-view.js";

/* Tenancy as for operations: every targeted organization must be one of the token's. */
const VISIBLE = "organization_ids <@ $1::bigint[]";
const RUNS_SHOWN = 10;

/** What a schedule row stores, derived from a complete (create or merged) body. */
export type ScheduleFields = {
  request: StoredOperationRequest;
  cron: string;
  timezone: string;
  enabled: boolean;
  startsAt: Date | null;
  endsAt: Date | null;
  missedRuns: "skip" | "run_once";
  overlap: "skip" | "allow";
};

/** Checks cron, timezone and the window (422 naming the field) and fills the defaults. */
export function scheduleFields(body: CreateScheduleBody): ScheduleFields {
  const problem = cronProblem(body.cron, body.timezone);
  if (problem) throw unprocessable([problem]);
  const startsAt = body.starts_at ? new Date(body.starts_at) : null;
  const endsAt = body.ends_at ? new Date(body.ends_at) : null;
  for (const [path, at] of [
    ["starts_at", startsAt],
    ["ends_at", endsAt],
  ] as const) {
    // Postgres timestamps end at year 9999 (and start at year 1): outside that a 422, not a 500.
    if (at && (at.getTime() < Date.UTC(1, 0, 1) || at.getTime() > Date.UTC(9999, 11, 31))) {
      throw unprocessable([{ path, message: "must be between 0001-01-01 and 9999-12-31 (UTC)" }]);
    }
  }
  if (startsAt && endsAt && endsAt <= startsAt) {
    throw unprocessable([{ path: "ends_at", message: "must be after starts_at" }]);
  }
  // The template: a firing replaces `execute_at` with its fire time.
  const request = normalizeRequest(
    {
      operation_type: body.operation_type,
      target_organizations: body.target_organizations,
      ...(body.device_filters ? { device_filters: body.device_filters } : {}),
      schedule: { priority: body.priority ?? "normal" },
      options: {
        update_firmware_info: body.options?.update_firmware_info ?? false,
        validate_connectivity: body.options?.validate_connectivity ?? false,
        timeout_minutes: body.options?.timeout_minutes ?? 60,
        ...(body.options?.max_devices_per_second !== undefined
          ? { max_devices_per_second: body.options.max_devices_per_second }
          : {}),
      },
    },
    new Date(0),
  );
  return {
    request,
    cron: body.cron.trim(),
    timezone: body.timezone,
    enabled: body.enabled ?? true,
    startsAt,
    endsAt,
    missedRuns: body.missed_runs ?? "skip",
    overlap: body.overlap ?? "skip",
  };
}

/** The PATCH merged over the stored schedule, in the create body's form (then checked as a create). */
export function mergedBody(row: ScheduleRow, request: StoredOperationRequest, patch: UpdateScheduleBody) {
  const current: CreateScheduleBody = {
    operation_type: request.operation_type,
    target_organizations: request.target_organizations,
    device_filters: request.device_filters,
    options: request.options,
    priority: request.schedule.priority,
    cron: row.cron,
    timezone: row.timezone,
    enabled: row.enabled,
    starts_at: row.starts_at?.toISOString() ?? null,
    ends_at: row.ends_at?.toISOString() ?? null,
    missed_runs: row.missed_runs,
    overlap: row.overlap,
  };
  return { ...current, ...patch } as CreateScheduleBody;
}

function nextFireOf(f: ScheduleFields, now: Date): Date | null {
  if (!f.enabled) return null;
  return nextFireAfter({ cron: f.cron, timezone: f.timezone, startsAt: f.startsAt, endsAt: f.endsAt }, now);
}

const valuesOf = (f: ScheduleFields, now: Date) => [
  f.request.target_organizations,
  JSON.stringify(f.request),
  f.cron,
  f.timezone,
  f.enabled,
  f.startsAt,
  f.endsAt,
  f.missedRuns,
  f.overlap,
  nextFireOf(f, now),
];

export async function insertSchedule(
  db: Queryable,
  tokenId: string,
  f: ScheduleFields,
  now: Date,
): Promise<ScheduleRow> {
  const res = await db.query<ScheduleRow>(
    `INSERT INTO schedules (organization_ids, request, cron, timezone, enabled, starts_at, ends_at,
        missed_runs, overlap, next_fire_at, created_by)
     VALUES ($1::bigint[], $2::jsonb, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING ${SCHEDULE_COLUMNS}`,
    [...valuesOf(f, now), tokenId],
  );
  return res.rows[0] as ScheduleRow;
}

/** Rewrites a schedule; `next_fire_at` restarts from now, so a changed cron never fires for the past. */
export async function updateSchedule(db: Queryable, id: string, f: ScheduleFields, now: Date) {
  const res = await db.query<ScheduleRow>(
    `UPDATE schedules SET organization_ids = $1::bigint[], request = $2::jsonb, cron = $3, timezone = $4,
        enabled = $5, starts_at = $6, ends_at = $7, missed_runs = $8, overlap = $9, next_fire_at = $10,
        updated_at = now()
      WHERE id = $11 RETURNING ${SCHEDULE_COLUMNS}`,
    [...valuesOf(f, now), id],
  );
  return res.rows[0] as ScheduleRow;
}

export async function findSchedule(
  db: Queryable,
  principal: Principal,
  id: string | undefined,
  forUpdate = false,
): Promise<ScheduleRow | undefined> {
  const valid = parseId(id);
  if (!valid) return undefined;
  const res = await db.query<ScheduleRow>(
    `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE ${VISIBLE} AND id = $2${forUpdate ? " FOR UPDATE" : ""}`,
    [principal.organizationIds, valid],
  );
  return res.rows[0];
}

export async function listSchedules(
  db: Queryable,
  principal: Principal,
  enabled: boolean | undefined,
  page: Page,
): Promise<{ count: number; rows: ScheduleRow[] }> {
  const where = `${VISIBLE} AND ($2::boolean IS NULL OR enabled = $2)`;
  const params = [principal.organizationIds, enabled ?? null];
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM schedules WHERE ${where}`, params),
    db.query<ScheduleRow>(
      `SELECT ${SCHEDULE_COLUMNS} FROM schedules WHERE ${where} ORDER BY id DESC LIMIT $3 OFFSET $4`,
      [...params, page.pageSize, page.offset],
    ),
  ]);
  return { count: count.rows[0]?.n ?? 0, rows: rows.rows };
}

/** The most recent firings of each schedule, newest first (grouped by schedule id). */
export async function recentRuns(db: Queryable, ids: string[]): Promise<Map<string, ScheduleRunRow[]>> {
  const out = new Map<string, ScheduleRunRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return out;
  const res = await db.query<ScheduleRunRow>(
    `SELECT s.id AS schedule_id, o.id, o.schedule_fire_at, o.status, o.finished_at
       FROM unnest($1::bigint[]) AS s(id)
       CROSS JOIN LATERAL (SELECT id, schedule_fire_at, status, finished_at FROM operations
                            WHERE schedule_id = s.id ORDER BY schedule_fire_at DESC LIMIT ${RUNS_SHOWN}) o
      ORDER BY o.schedule_fire_at DESC`,
    [ids],
  );
  for (const r of res.rows) out.get(String(r.schedule_id))?.push(r);
  return out;
}

export async function deleteSchedule(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM schedules WHERE id = $1", [id]);
}
