import {
  DEFAULT_TIMEOUT_MINUTES,
  deviceTypes,
  type OperationCreatedView,
  type OperationView,
  type Priority,
  type StoredOperationRequest,
} from "@headless-ops/contracts";
import { isoZ, isoZOrNull } from "../time.js";

/**
 * An `operations` row as the API reads it (int8 columns arrive as strings); `request` read through
 * `StoredOperationRequest` (readOperationRow in operations/query.ts).
 */
export type OperationRow = {
  id: string;
  operation_type: OperationView["operation_type"];
  status: OperationView["status"];
  priority: number;
  organization_ids: string[];
  request: StoredOperationRequest;
  scheduled_for: Date;
  target_device_count: number;
  estimated_duration_minutes: number;
  total_devices: number;
  processed_devices: number;
  failed_devices: number;
  error_summary: Record<string, number>;
  /** The verdict counters (compliance_report only; null where the claim did not start them). */
  compliance_compliant: number | null;
  compliance_non_compliant: number | null;
  compliance_unknown: number | null;
  progress: number;
  estimated_completion: Date | null;
  fanout_cursor: string | null;
  cancel_requested_at: Date | null;
  retry_of: string | null;
  schedule_id: string | null;
  created_at: Date;
  updated_at: Date;
  started_at: Date | null;
  finished_at: Date | null;
};

export const OPERATION_COLUMNS = `id, operation_type, status, priority, organization_ids, request, scheduled_for,
  target_device_count, estimated_duration_minutes, total_devices, processed_devices, failed_devices,
  error_summary, compliance_compliant, compliance_non_compliant, compliance_unknown, progress,
  estimated_completion, fanout_cursor, cancel_requested_at, retry_of, schedule_id, created_at, updated_at,
  started_at, finished_at`;

const priorityByRank: Record<number, Priority> = { 2: "high", 1: "normal", 0: "low" };
export const priorityOf = (rank: number): Priority => priorityByRank[rank] ?? "normal";

export const OPERATIONS_PATH = "/api/v1/inventory_device_serial_headless_operation/";

/** An unfiltered operation targets every device type: the list says so explicitly. */
function targetedTypes(row: OperationRow): OperationView["operation_details"]["device_types"] {
  return row.request.device_filters?.types ?? [...deviceTypes];
}

/** ETA: measured while running; before the start, the schedule plus the estimated duration. */
function estimatedCompletion(row: OperationRow): string | null {
  if (row.estimated_completion) return isoZ(row.estimated_completion);
  if (row.status !== "scheduled") return null;
  return isoZ(new Date(row.scheduled_for.getTime() + row.estimated_duration_minutes * 60_000));
}

/** `operation_details.compliance_summary`: a compliance_report's counters, absent for other types. */
function complianceSummary(
  row: OperationRow,
): Pick<OperationView["operation_details"], "compliance_summary"> {
  if (row.operation_type !== "compliance_report") return {};
  if (row.compliance_compliant === null) return { compliance_summary: null };
  return {
    compliance_summary: {
      compliant: row.compliance_compliant,
      non_compliant: row.compliance_non_compliant ?? 0,
      unknown: row.compliance_unknown ?? 0,
    },
  };
}

/** What the operation was asked to do, as the POST response and the GET show it. */
function operationConfig(row: OperationRow): OperationCreatedView["operation_config"] {
  const options = row.request.options;
  return {
    organizations: row.organization_ids.map(Number),
    device_types: targetedTypes(row),
    device_statuses: row.request.device_filters?.status ?? null,
    priority: priorityOf(row.priority),
    options: {
      update_firmware_info: options?.update_firmware_info ?? false,
      validate_connectivity: options?.validate_connectivity ?? false,
      timeout_minutes: options?.timeout_minutes ?? DEFAULT_TIMEOUT_MINUTES,
      ...(options?.max_devices_per_second !== undefined
        ? { max_devices_per_second: options.max_devices_per_second }
        : {}),
    },
  };
}

/** A GET result: every field of the reference's example, plus schedule, timing and cancel information. */
export function operationView(row: OperationRow): OperationView {
  return {
    id: row.id,
    operation_type: row.operation_type,
    status: row.status,
    progress: row.progress,
    total_devices: row.total_devices,
    processed_devices: row.processed_devices,
    failed_devices: row.failed_devices,
    created_at: isoZ(row.created_at),
    updated_at: isoZ(row.updated_at),
    estimated_completion: estimatedCompletion(row),
    scheduled_for: isoZ(row.scheduled_for),
    started_at: isoZOrNull(row.started_at),
    finished_at: isoZOrNull(row.finished_at),
    cancel_requested_at: isoZOrNull(row.cancel_requested_at),
    priority: priorityOf(row.priority),
    target_device_count: row.target_device_count,
    retry_of: row.retry_of,
    schedule_id: row.schedule_id,
    operation_config: operationConfig(row),
    operation_details: {
      device_types: targetedTypes(row),
      organization_ids: row.organization_ids.map(Number),
      error_summary: row.error_summary,
      ...complianceSummary(row),
    },
  };
}

/** The POST response (also the idempotent replay's): the reference's `operation_config` form. */
export function operationCreatedView(row: OperationRow): OperationCreatedView {
  return {
    id: row.id,
    operation_type: row.operation_type,
    status: row.status,
    created_at: isoZ(row.created_at),
    scheduled_for: isoZ(row.scheduled_for),
    estimated_duration_minutes: row.estimated_duration_minutes,
    target_device_count: row.target_device_count,
    operation_config: operationConfig(row),
    retry_of: row.retry_of,
    monitoring_url: `${OPERATIONS_PATH}?id=${row.id}`,
  };
}
