import { CreateOperationBody } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { fieldErrors } from "../validation.js";
import { normalizeRequest, sameRequest } from "./normalize.js";

const now = new Date("2026-01-15T14:30:00Z");

function errorsOf(body: unknown) {
  const parsed = CreateOperationBody.safeParse(body);
  return parsed.success ? [] : fieldErrors(parsed.error.issues);
}

describe("operation body validation", () => {
  const valid = {
    operation_type: "bulk_serial_sync",
    target_organizations: [101, 102, 103],
    device_filters: { types: ["router", "switch"], status: ["active", "pending"] },
    schedule: { execute_at: "2024-01-16T02:00:00Z", priority: "normal" },
    options: { update_firmware_info: true, validate_connectivity: true, timeout_minutes: 120 },
  };

  it("accepts the reference example", () => {
    expect(errorsOf(valid)).toEqual([]);
  });

  it("names every bad field by its path, unknown keys included", () => {
    const paths = errorsOf({
      operation_type: "reboot",
      target_organizations: [],
      device_filters: { types: ["toaster"], colour: "red" },
      schedule: { execute_at: "2024-01-16T02:00:00", priority: "urgent" },
      options: { timeout_minutes: 0 },
      extra: true,
    }).map((e) => e.path);
    expect(paths.sort()).toEqual(
      [
        "operation_type",
        "target_organizations",
        "device_filters.types.0",
        "device_filters.colour",
        "schedule.execute_at",
        "schedule.priority",
        "options.timeout_minutes",
        "extra",
      ].sort(),
    );
  });

  it("requires an offset on execute_at and accepts one", () => {
    expect(errorsOf({ ...valid, schedule: { execute_at: "2024-01-16T02:00:00+02:00" } })).toEqual([]);
    expect(errorsOf({ ...valid, schedule: { execute_at: "2024-01-16" } }).map((e) => e.path)).toEqual([
      "schedule.execute_at",
    ]);
  });

  it("bounds timeout_minutes to 1..1440", () => {
    expect(errorsOf({ ...valid, options: { timeout_minutes: 1441 } })).toHaveLength(1);
    expect(errorsOf({ ...valid, options: { timeout_minutes: 1440 } })).toEqual([]);
  });
});

describe("normalizeRequest", () => {
  it("fills defaults, converts execute_at to UTC and de-duplicates organizations", () => {
    const body = CreateOperationBody.parse({
      operation_type: "inventory_audit",
      target_organizations: [102, 101, 102],
      schedule: { execute_at: "2026-01-16T03:00:00+01:00" },
    });
    expect(normalizeRequest(body, now)).toEqual({
      operation_type: "inventory_audit",
      target_organizations: [101, 102],
      device_filters: {},
      schedule: { execute_at: "2026-01-16T02:00:00.000Z", priority: "normal" },
      options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 60 },
    });
  });

  it("runs at once without execute_at, and a replay without it matches the original", () => {
    const body = CreateOperationBody.parse({ operation_type: "status_refresh", target_organizations: [101] });
    const first = normalizeRequest(body, now);
    expect(first.schedule.execute_at).toBe(now.toISOString());
    const replay = normalizeRequest(body, new Date(now.getTime() + 5_000));
    expect(sameRequest(first, replay, false)).toBe(true);
    const other = normalizeRequest({ ...body, operation_type: "inventory_audit" }, now);
    expect(sameRequest(first, other, false)).toBe(false);
  });
});
