import type { DeviceJobBatch, DeviceResult } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { devicesDigest, resultMessages } from "./result-messages.js";

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
  it("sends one message, named by the job and the devices it carries, when it fits", () => {
    const messages = resultMessages(job, "job-7-1-r1", [result(1), result(2)]);
    expect(messages.map((m) => m.msgId)).toEqual([`job-7-1-r1-res-${devicesDigest([result(1), result(2)])}`]);
  });

  it("names the same devices alike in any order, and a differently split retry differently", () => {
    const first = resultMessages(job, "job-7-1-r1", [result(1), result(2), result(3)])[0]?.msgId;
    // The same part republished after a crash, results in another completion order: de-duplicated.
    expect(resultMessages(job, "job-7-1-r1", [result(3), result(1), result(2)])[0]?.msgId).toBe(first);
    // A retry whose first part holds one device more (it split at another moment) must not be
    // dropped as a duplicate of the earlier, smaller part: that lost device 4 (fault scenario 10).
    const retried = resultMessages(job, "job-7-1-r1", [result(1), result(2), result(3), result(4)]);
    expect(retried[0]?.msgId).not.toBe(first);
    expect(resultMessages(job, "job-7-1-r1", [result(1), result(2)])[0]?.msgId).not.toBe(first);
    expect(devicesDigest([result(12)])).not.toBe(devicesDigest([result(1), result(2)]));
  });

  it("splits a batch that would outgrow max_payload, keeping every result once", () => {
    const results = Array.from({ length: 1000 }, (_, i) => result(i + 1));
    const messages = resultMessages(job, "job-7-1-r1", results, 100_000);
    expect(messages.length).toBeGreaterThan(10);
    expect(messages.every((m) => m.data.byteLength <= 100_000)).toBe(true);
    expect(messages.every((m) => m.msgId.startsWith("job-7-1-r1-res-"))).toBe(true);
    expect(new Set(messages.map((m) => m.msgId)).size).toBe(messages.length);
    const ids = messages.flatMap((m) =>
      (JSON.parse(new TextDecoder().decode(m.data)) as { results: DeviceResult[] }).results.map(
        (r) => r.device_id,
      ),
    );
    expect(ids).toEqual(results.map((r) => r.device_id));
  });
});
