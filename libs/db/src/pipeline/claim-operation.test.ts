import type { StoredOperationRequest } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { targetFilterOf } from "./claim-operation.js";

const stored = (over: Partial<StoredOperationRequest>): StoredOperationRequest => ({
  operation_type: "bulk_serial_sync",
  target_organizations: [101],
  device_filters: {},
  schedule: { execute_at: "2024-01-16T02:00:00.000Z", priority: "normal" },
  options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 60 },
  ...over,
});

describe("targetFilterOf", () => {
  it("reads device filters and the timeout from a normalized request", () => {
    expect(
      targetFilterOf(
        stored({
          device_filters: { types: ["router", "switch"], status: ["active"] },
          options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 120 },
        }),
      ),
    ).toEqual({ deviceIds: null, types: ["router", "switch"], statuses: ["active"], timeoutMinutes: 120 });
  });

  it("treats absent or empty filters as any, and a retry's device_ids as the exact targets", () => {
    expect(targetFilterOf(stored({ device_filters: { types: [] } }))).toEqual({
      deviceIds: null,
      types: null,
      statuses: null,
      timeoutMinutes: 60,
    });
    expect(targetFilterOf(stored({ device_ids: ["7", "9"], device_filters: { types: ["router"] } }))).toEqual(
      {
        deviceIds: ["7", "9"],
        types: null,
        statuses: null,
        timeoutMinutes: 60,
      },
    );
  });
});
