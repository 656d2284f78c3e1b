import { describe, expect, it } from "vitest";
import { targetFilterOf } from "./claim-operation.js";

describe("targetFilterOf", () => {
  it("reads device filters and the timeout from a normalized request", () => {
    expect(
      targetFilterOf({
        device_filters: { types: ["router", "switch"], status: ["active"] },
        options: { timeout_minutes: 120 },
      }),
    ).toEqual({ deviceIds: null, types: ["router", "switch"], statuses: ["active"], timeoutMinutes: 120 });
  });

  it("treats absent or empty filters as any, and a retry's device_ids as the exact targets", () => {
    expect(targetFilterOf({ device_filters: { types: [] } })).toEqual({
      deviceIds: null,
      types: null,
      statuses: null,
      timeoutMinutes: null,
    });
    expect(targetFilterOf({ device_ids: ["7", 9], device_filters: { types: ["router"] } })).toEqual({
      deviceIds: ["7", "9"],
      types: null,
      statuses: null,
      timeoutMinutes: null,
    });
  });
});
