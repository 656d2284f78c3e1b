import type { DeviceJobBatch, DeviceResult } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { resultMessages } from "./result-messages.js";

const job = {
  v: 1,
  operation_id: "7",
  operation_type: "bulk_serial_sync",
  attempt: 1,
  options: { update_firmware_info: false, validate_connectivity: false },
  devices: [],
} as unknown as DeviceJobBatch;

const result = (i: number): DeviceResult => ({
  device_id: String(i),
  outcome: "failed",
  error_code: "protocol_errors",
  error_message: "x".repeat(1000),
  attempts: 1,
  started_at: "2026-01-01T00:00:00.000Z",
  finished_at: "2026-01-01T00:00:00.000Z",
});

describe("resultMessages", () => {
  it("sends one message with the contract id when it fits", () => {
    const messages = resultMessages(job, "job-7-1-r1", [result(1), result(2)]);
    expect(messages.map((m) => m.msgId)).toEqual(["job-7-1-r1-res"]);
  });

  it("splits a batch that would outgrow max_payload, keeping every result once", () => {
    const results = Array.from({ length: 1000 }, (_, i) => result(i + 1));
    const messages = resultMessages(job, "job-7-1-r1", results, 100_000);
    expect(messages.length).toBeGreaterThan(10);
    expect(messages.every((m) => m.data.byteLength <= 100_000)).toBe(true);
    expect(messages[0]?.msgId).toBe("job-7-1-r1-res");
    expect(new Set(messages.map((m) => m.msgId)).size).toBe(messages.length);
    const ids = messages.flatMap((m) =>
      (JSON.parse(new TextDecoder().decode(m.data)) as { results: DeviceResult[] }).results.map(
        (r) => r.device_id,
      ),
    );
    expect(ids).toEqual(results.map((r) => r.device_id));
  });
});
