import { z } from "zod";
import { ComplianceSummary } from "../compliance/frozen-baselines.js";
import {
  DeviceStatus,
  DeviceType,
  OperationStatus,
  OperationType,
  OrganizationId,
  Priority,
} from "../domain.js";
import { PageQuery, QueryBool } from "./pagination.js";

export const DEFAULT_TIMEOUT_MINUTES = 60;
/** Upper bound of a probe rate limit; far above what one deployment probes, low enough to stay a limit. */
export const MAX_DEVICES_PER_SECOND = 100_000;

/**
 * Devices started per second across every prober replica, for one operation (or, as an
 * organization's default, for each operation over it that sets none).
 */
export const MaxDevicesPerSecond = z
  .number()
  .int()
  .min(1)
  .max(MAX_DEVICES_PER_SECOND)
  .describe("Devices probed per second at most, across all prober replicas");
const Iso = z.iso.datetime({ offset: true });
const IdString = z.string().regex(/^\d+$/);

/**
 * The body of `POST /inventory_device_serial_headless_operation/` (or the JSON inside its `data`
 * string). Unknown keys are rejected at every level so a typo never silently widens an operation.
 */
export const CreateOperationBody = z
  .strictObject({
    operation_type: OperationType,
    target_organizations: z.array(OrganizationId).min(1).max(1_000),
    device_filters: z
      .strictObject({
        types: z.array(DeviceType).min(1).optional(),
        status: z.array(DeviceStatus).min(1).optional(),
      })
      .optional(),
    schedule: z
      .strictObject({
        /** ISO-8601 with `Z` or an offset; missing means now. */
        execute_at: Iso.optional(),
        priority: Priority.default("normal"),
      })
      .optional(),
    options: z
      .strictObject({
        update_firmware_info: z.boolean().default(false),
        validate_connectivity: z.boolean().default(false),
        timeout_minutes: z.number().int().min(1).max(1_440).default(DEFAULT_TIMEOUT_MINUTES),
        max_devices_per_second: MaxDevicesPerSecond.optional(),
      })
      .optional(),
    /** Answer 200 with what would run (a DryRun), creating nothing. */
    dry_run: z.boolean().optional(),
  })
  .meta({ id: "CreateOperation" });
export type CreateOperationBody = z.infer<typeof CreateOperationBody>;

/** The form the reference documents: the configuration as a JSON string in `data` (JSON body or form field). */
export const CreateOperationEnvelope = z
  .strictObject({
    data: z.string().meta({
      description: "The CreateOperation configuration as a JSON string",
      contentMediaType: "application/json",
    }),
  })
  .meta({ id: "CreateOperationEnvelope" });

export const OperationOptions = z.object({
  update_firmware_info: z.boolean(),
  validate_connectivity: z.boolean(),
  timeout_minutes: z.number().int(),
  /** Absent on operations stored before the option existed, and when the request set none. */
  max_devices_per_second: z.number().int().optional(),
});
export type OperationOptions = z.infer<typeof OperationOptions>;

/**
 * What `operations.request` holds: the validated body with every default filled in.
 * `device_ids` is set only on retries: the ledger snapshot then targets exactly those devices.
 */
export const StoredOperationRequest = z.object({
  operation_type: OperationType,
  target_organizations: z.array(z.number().int()),
  device_filters: z.object({
    types: z.array(DeviceType).optional(),
    status: z.array(DeviceStatus).optional(),
  }),
  schedule: z.object({ execute_at: Iso, priority: Priority }),
  options: OperationOptions,
  device_ids: z.array(IdString).optional(),
});
export type StoredOperationRequest = z.infer<typeof StoredOperationRequest>;

/** The reference's `operation_config`: what the operation was asked to do, defaults filled in. */
export const OperationConfig = z.object({
  organizations: z.array(z.number().int()),
  device_types: z.array(DeviceType),
  device_statuses: z.array(DeviceStatus).nullable(),
  priority: Priority,
  options: OperationOptions,
});

/** POST response (201, or 200 on an idempotent replay): the reference's fields plus a few extras. */
export const OperationCreatedView = z
  .object({
    id: IdString,
    operation_type: OperationType,
    status: OperationStatus,
    created_at: Iso,
    scheduled_for: Iso,
    estimated_duration_minutes: z.number().int(),
    target_device_count: z.number().int(),
    operation_config: OperationConfig,
    retry_of: IdString.nullable(),
    monitoring_url: z.string(),
  })
  .meta({ id: "OperationCreated" });
export type OperationCreatedView = z.infer<typeof OperationCreatedView>;

/** One GET result: the reference's fields plus schedule, timing and cancel information. */
export const OperationView = z
  .object({
    id: IdString,
    operation_type: OperationType,
    status: OperationStatus,
    progress: z.number().int(),
    total_devices: z.number().int(),
    processed_devices: z.number().int(),
    failed_devices: z.number().int(),
    created_at: Iso,
    updated_at: Iso,
    estimated_completion: Iso.nullable(),
    scheduled_for: Iso,
    started_at: Iso.nullable(),
    finished_at: Iso.nullable(),
    cancel_requested_at: Iso.nullable(),
    priority: Priority,
    target_device_count: z.number().int(),
    retry_of: IdString.nullable(),
    /** The schedule whose firing created it; null for a direct POST (or a deleted schedule). */
    schedule_id: IdString.nullable(),
    /**
     * As in the POST response (`options.max_devices_per_second` included when the request set it).
     * Always sent; optional in the schema because it was added after clients were written against it.
     */
    operation_config: OperationConfig.optional(),
    operation_details: z.object({
      device_types: z.array(DeviceType),
      organization_ids: z.array(z.number().int()),
      error_summary: z.record(z.string(), z.number().int()),
      /**
       * compliance_report only (absent for every other type): devices judged so far by verdict,
       * against the baselines frozen when the operation started. Null before the scheduler starts
       * it, and for compliance reports started before the verdict counters existed.
       */
      compliance_summary: ComplianceSummary.nullable()
        .optional()
        .describe(
          "compliance_report only (absent for other types): devices judged so far by verdict, against the baselines frozen when the operation started; null before it starts and for operations started before this field existed",
        ),
    }),
  })
  .meta({ id: "Operation" });
export type OperationView = z.infer<typeof OperationView>;

export const OperationListQuery = PageQuery.extend({
  /** One operation (in the same envelope), or 404. */
  id: z.string().max(32).optional(),
  /** Run the status helpers on the returned operations before answering. */
  update_status: QueryBool,
  status: OperationStatus.optional(),
  operation_type: OperationType.optional(),
  organization_id: z.coerce.number().int().positive().optional(),
  schedule_id: z
    .string()
    .regex(/^\d{1,18}$/)
    .optional(),
});
