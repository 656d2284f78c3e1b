import { z } from "zod";
import { DeviceStatus, DeviceType, OperationStatus, OperationType, Priority } from "../domain.js";
import { CreateOperationBody, MaxDevicesPerSecond, OperationOptions } from "./operations.js";
import { PageQuery } from "./pagination.js";

const Iso = z.iso.datetime({ offset: true });
const IdString = z.string().regex(/^\d+$/);

const scheduleFields = {
  operation_type: OperationType,
  // The same targets as an operation POST: a schedule's firing is an ordinary operation.
  target_organizations: CreateOperationBody.shape.target_organizations,
  device_filters: CreateOperationBody.shape.device_filters,
  options: z
    .strictObject({
      update_firmware_info: z.boolean().optional(),
      validate_connectivity: z.boolean().optional(),
      timeout_minutes: z.number().int().min(1).max(1_440).optional(),
      max_devices_per_second: MaxDevicesPerSecond.optional(),
    })
    .optional(),
  priority: Priority.optional(),
  /** 5 fields: minute hour day-of-month month day-of-week (validated by croner). */
  cron: z.string().min(9).max(200),
  /** IANA name, e.g. `Europe/Zurich`. */
  timezone: z.string().min(1).max(64),
  enabled: z.boolean().optional(),
  starts_at: Iso.nullable().optional(),
  ends_at: Iso.nullable().optional(),
  /** After downtime: `skip` drops a firing more than 5 minutes late, `run_once` runs the latest once. */
  missed_runs: z.enum(["skip", "run_once"]).optional(),
  /** `skip` (default): a firing is skipped while the previous one of the schedule still runs. */
  overlap: z.enum(["skip", "allow"]).optional(),
};

/** `POST /api/v1/schedules/`: an operation body (without `execute_at`) plus when to fire it. */
export const CreateScheduleBody = z.strictObject(scheduleFields).meta({ id: "CreateSchedule" });
export type CreateScheduleBody = z.infer<typeof CreateScheduleBody>;

/** `PATCH /api/v1/schedules/{id}`: any subset of the create body. */
export const UpdateScheduleBody = z.strictObject(scheduleFields).partial().meta({ id: "UpdateSchedule" });
export type UpdateScheduleBody = z.infer<typeof UpdateScheduleBody>;

export const ScheduleRunView = z.object({
  operation_id: IdString,
  fire_at: Iso,
  status: OperationStatus,
  finished_at: Iso.nullable(),
});

export const ScheduleView = z
  .object({
    id: IdString,
    operation_type: OperationType,
    target_organizations: z.array(z.number().int()),
    device_filters: z.object({
      types: z.array(DeviceType).optional(),
      status: z.array(DeviceStatus).optional(),
    }),
    options: OperationOptions,
    priority: Priority,
    cron: z.string(),
    cron_description: z.string(),
    timezone: z.string(),
    enabled: z.boolean(),
    starts_at: Iso.nullable(),
    ends_at: Iso.nullable(),
    missed_runs: z.enum(["skip", "run_once"]),
    overlap: z.enum(["skip", "allow"]),
    /** The next 5 fire times (fewer near `ends_at`; none while disabled). */
    next_runs: z.array(Iso),
    last_fired_at: Iso.nullable(),
    /** The 10 most recent firings, newest first, with their operation's status. */
    last_runs: z.array(ScheduleRunView),
    created_at: Iso,
    updated_at: Iso,
  })
  .meta({ id: "Schedule" });
export type ScheduleView = z.infer<typeof ScheduleView>;

export const ScheduleListQuery = PageQuery.extend({
  enabled: z.enum(["true", "false"]).optional(),
});
