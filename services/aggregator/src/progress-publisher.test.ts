import { OperationProgressEvent } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { progressEventOf } from "./progress-publisher.js";

describe("progress events", () => {
  it("carry the row's absolute values, its updated_at and the moment the fold committed", () => {
    const committed = new Date("2026-12-02T10:00:02.345Z");
    const event = progressEventOf(
      {
        id: "42",
        status: "in_progress",
        progress: 37,
        total_devices: 1000,
        processed_devices: 370,
        failed_devices: 3,
        error_summary: { unreachable: 3 },
        estimated_completion: new Date("2026-12-02T10:00:09Z"),
        updated_at: new Date("2026-12-02T10:00:02.120Z"),
      },
      123.456,
      committed,
    );
    expect(OperationProgressEvent.parse(event)).toEqual(event);
    expect(event).toMatchObject({
      operation_id: "42",
      processed_devices: 370,
      devices_per_second: 123.5,
      updated_at: "2026-12-02T10:00:02.120Z",
      committed_at: "2026-12-02T10:00:02.345Z",
    });
  });
});
