import {
  type CreateOperationBody,
  DEFAULT_TIMEOUT_MINUTES,
  type StoredOperationRequest,
} from "@headless-ops/contracts";

/**
 * The validated body with every default filled in, as stored in `operations.request`:
 * organizations de-duplicated and sorted, `execute_at` in UTC (missing: `now`), options complete.
 */
export function normalizeRequest(body: CreateOperationBody, now: Date): StoredOperationRequest {
  const filters = body.device_filters ?? {};
  return {
    operation_type: body.operation_type,
    target_organizations: [...new Set(body.target_organizations)].sort((a, b) => a - b),
    device_filters: {
      ...(filters.types ? { types: [...new Set(filters.types)] } : {}),
      ...(filters.status ? { status: [...new Set(filters.status)] } : {}),
    },
    schedule: {
      execute_at: new Date(body.schedule?.execute_at ?? now).toISOString(),
      priority: body.schedule?.priority ?? "normal",
    },
    options: {
      update_firmware_info: body.options?.update_firmware_info ?? false,
      validate_connectivity: body.options?.validate_connectivity ?? false,
      timeout_minutes: body.options?.timeout_minutes ?? DEFAULT_TIMEOUT_MINUTES,
      // Absent rather than null when unset, so requests stored before the option compare equal.
      ...(body.options?.max_devices_per_second !== undefined
        ? { max_devices_per_second: body.options.max_devices_per_second }
        : {}),
    },
  };
}

/**
 * Whether a replayed request (same Idempotency-Key) asks for the same operation. A replay without
 * `execute_at` matches whatever "now" the original resolved to.
 */
export function sameRequest(
  stored: StoredOperationRequest,
  replay: StoredOperationRequest,
  replayHadExecuteAt: boolean,
): boolean {
  const comparable = replayHadExecuteAt
    ? replay
    : { ...replay, schedule: { ...replay.schedule, execute_at: stored.schedule.execute_at } };
  return (
    canonical({ ...stored, device_ids: undefined }) === canonical({ ...comparable, device_ids: undefined })
  );
}

/** JSON with sorted keys: jsonb does not keep key order, so stored and fresh requests compare by content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(
          Object.entries(v as Record<string, unknown>).sort(([a], [b]) => a.localeCompare(b)),
        )
      : v,
  );
}
