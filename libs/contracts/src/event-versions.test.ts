import { describe, expect, it } from "vitest";
import { DeviceJobBatch, DeviceResultBatch, OperationCreated } from "./events.js";

/*
 * Rolling upgrades: a consumer of this release must decode what a producer of the previous release
 * published. The previous shapes are written out here literally (not built from the schemas), so a
 * change that breaks them fails.
 */

const created = { operation_id: "42", priority: "high", scheduled_for: "2026-12-01T10:00:00.000Z" };
const job = {
  operation_id: "42",
  operation_type: "bulk_serial_sync",
  attempt: 1,
  options: { update_firmware_info: true, validate_connectivity: false },
  devices: [{ device_id: "7", driver: "simulated", address: null, port: null, sim: null }],
};
const result = {
  operation_id: "42",
  operation_type: "bulk_serial_sync",
  options: { update_firmware_info: true, validate_connectivity: false },
  results: [
    {
      device_id: "7",
      outcome: "succeeded",
      attempts: 1,
      started_at: "2026-12-01T10:00:00.000Z",
      finished_at: "2026-12-01T10:00:01.000Z",
    },
  ],
};

describe("event versions", () => {
  const cases = [
    ["operation.created", OperationCreated, created],
    ["device job batch", DeviceJobBatch, job],
    ["device result batch", DeviceResultBatch, result],
  ] as const;

  for (const [name, schema, previous] of cases) {
    it(`${name}: the previous shape, without v, still decodes (as version 1)`, () => {
      const parsed = schema.safeParse(previous);
      expect(parsed.success).toBe(true);
      expect(parsed.data?.v).toBe(1);
    });

    it(`${name}: the current shape carries v: 1; an unknown version is refused`, () => {
      expect(schema.parse({ ...previous, v: 1 }).v).toBe(1);
      expect(schema.safeParse({ ...previous, v: 2 }).success).toBe(false);
    });
  }
});
