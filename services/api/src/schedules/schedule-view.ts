import { type OperationStatus, type ScheduleView, StoredOperationRequest } from "@headless-ops/contracts";
import { nextFireTimes } from "@headless-ops/db";
import cronstrue from "cronstrue";
import { priorityOf } from "../operations/operation-view.js";
import { isoZ, isoZOrNull } from "../time.js";

/** A `schedules` row as pg returns it (int8 as strings). */
export type ScheduleRow = {
  id: string;
  organization_ids: string[];
  request: unknown;
  cron: string;
  timezone: string;
  enabled: boolean;
  starts_at: Date | null;
  ends_at: Date | null;
  missed_runs: "skip" | "run_once";
  overlap: "skip" | "allow";
  next_fire_at: Date | null;
  last_fired_at: Date | null;
  created_at: Date;
  updated_at: Date;
};

export type ScheduleRunRow = {
  schedule_id: string;
  id: string;
  schedule_fire_at: Date;
  status: OperationStatus;
  finished_at: Date | null;
};

export const SCHEDULE_COLUMNS = `id, organization_ids, request, cron, timezone, enabled, starts_at, ends_at,
  missed_runs, overlap, next_fire_at, last_fired_at, created_at, updated_at`;

export const SCHEDULES_PATH = "/api/v1/schedules/";

/** "At 02:30, Monday through Friday (Europe/Zurich)": cronstrue's English, 24-hour clock. */
export function describeCron(cron: string, timezone: string): string {
  return `${cronstrue.toString(cron, { use24HourTimeFormat: true, verbose: false })} (${timezone})`;
}

const priorityRankOf = { high: 2, normal: 1, low: 0 } as const;

/** The GET form: the template's fields, the timing, the next 5 fire times and the recent firings. */
export function scheduleView(row: ScheduleRow, runs: ScheduleRunRow[], now: Date): ScheduleView {
  const request = StoredOperationRequest.parse(row.request);
  const spec = { cron: row.cron, timezone: row.timezone, startsAt: row.starts_at, endsAt: row.ends_at };
  return {
    id: row.id,
    operation_type: request.operation_type,
    target_organizations: request.target_organizations,
    device_filters: request.device_filters,
    options: request.options,
    priority: priorityOf(priorityRankOf[request.schedule.priority]),
    cron: row.cron,
    cron_description: describeCron(row.cron, row.timezone),
    timezone: row.timezone,
    enabled: row.enabled,
    starts_at: isoZOrNull(row.starts_at),
    ends_at: isoZOrNull(row.ends_at),
    missed_runs: row.missed_runs,
    overlap: row.overlap,
    next_runs: row.enabled ? nextFireTimes(spec, now, 5).map(isoZ) : [],
    last_fired_at: isoZOrNull(row.last_fired_at),
    last_runs: runs.map((r) => ({
      operation_id: r.id,
      fire_at: isoZ(r.schedule_fire_at),
      status: r.status,
      finished_at: isoZOrNull(r.finished_at),
    })),
    created_at: isoZ(row.created_at),
    updated_at: isoZ(row.updated_at),
  };
}
