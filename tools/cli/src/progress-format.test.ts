import { describe, expect, it } from "vitest";
import type { OperationEvent } from "./operation-event.js";
import {
  etaSeconds,
  exitCodeFor,
  finishedLine,
  formatDuration,
  formatRate,
  progressLine,
} from "./progress-format.js";

const op = (over: Partial<OperationEvent> = {}): OperationEvent => ({
  id: "42",
  status: "in_progress",
  progress: 40,
  total_devices: 1000,
  processed_devices: 400,
  failed_devices: 3,
  devices_per_second: 120,
  estimated_completion: null,
  ...over,
});

describe("progress formatting", () => {
  it("maps how an operation ended to the documented exit codes", () => {
    expect(exitCodeFor("completed")).toBe(0);
    expect(exitCodeFor("completed_with_errors")).toBe(2);
    expect(exitCodeFor("failed")).toBe(3);
    expect(exitCodeFor("cancelled")).toBe(4);
    expect(exitCodeFor("in_progress")).toBe(1);
  });

  it("formats rates and durations for people", () => {
    expect(formatRate(3.125)).toBe("3.1");
    expect(formatRate(1234.6)).toBe("1,235");
    expect(formatRate(null)).toBe("-");
    expect(formatDuration(45)).toBe("45s");
    expect(formatDuration(185)).toBe("3m05s");
    expect(formatDuration(7440)).toBe("2h04m");
    expect(formatDuration(undefined)).toBe("-");
  });

  it("takes the ETA from the server's estimate, else from the rate, else unknown", () => {
    const now = Date.parse("2026-01-01T00:00:00Z");
    expect(etaSeconds(op({ estimated_completion: "2026-01-01T00:01:30Z" }), now)).toBe(90);
    expect(etaSeconds(op(), now)).toBe(5);
    expect(etaSeconds(op({ devices_per_second: null }), now)).toBeUndefined();
    expect(etaSeconds(op({ processed_devices: 1000 }), now)).toBe(0);
  });

  it("writes one line per update when not on a terminal, and a summary at the end", () => {
    expect(progressLine(op(), 0)).toBe("in_progress 40% 400/1000 devices, 3 failed, 120 devices/s, ETA 5s");
    expect(finishedLine(op({ status: "completed_with_errors", processed_devices: 1000 }))).toBe(
      "operation 42 completed_with_errors: 997 succeeded, 3 failed of 1000 devices",
    );
  });
});
