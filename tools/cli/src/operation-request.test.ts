import { describe, expect, it } from "vitest";
import { buildCreateBody } from "./operation-request.js";

describe("ops create body", () => {
  it("builds the POST body from flags", () => {
    expect(
      buildCreateBody({
        type: "bulk_serial_sync",
        org: ["101", "102"],
        deviceType: ["router"],
        status: ["active"],
        priority: "high",
        timeoutMinutes: "30",
        dryRun: true,
      }),
    ).toEqual({
      operation_type: "bulk_serial_sync",
      target_organizations: [101, 102],
      device_filters: { types: ["router"], status: ["active"] },
      schedule: { priority: "high" },
      options: { timeout_minutes: 30 },
      dry_run: true,
    });
  });

  it("lays flags over a JSON file", () => {
    const file = JSON.stringify({
      operation_type: "inventory_audit",
      target_organizations: [5],
      schedule: { priority: "low" },
    });
    const body = buildCreateBody({ file: "op.json", priority: "high" }, () => file);
    expect(body).toEqual({
      operation_type: "inventory_audit",
      target_organizations: [5],
      schedule: { priority: "high" },
    });
  });

  it("refuses what cannot become a body, naming the flag or file", () => {
    expect(() => buildCreateBody({ org: ["1"] })).toThrow(/--type/);
    expect(() => buildCreateBody({ type: "bulk_serial_sync" })).toThrow(/--org/);
    expect(() => buildCreateBody({ type: "bulk_serial_sync", org: ["abc"] })).toThrow(
      '--org expects a whole number, got "abc"',
    );
    expect(() => buildCreateBody({ file: "op.json" }, () => "[1]")).toThrow(/one JSON object/);
  });
});
