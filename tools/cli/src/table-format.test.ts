import type { DeviceResult, Operation } from "@headless-ops/client";
import { describe, expect, it } from "vitest";
import { failuresTable, operationDetail, operationsTable, pageFooter } from "./table-format.js";

const operation: Operation = {
  id: "7",
  operation_type: "bulk_serial_sync",
  status: "completed_with_errors",
  priority: "high",
  schedule_id: null,
  progress: 100,
  total_devices: 10,
  processed_devices: 10,
  failed_devices: 2,
  target_device_count: 10,
  operation_details: {
    organization_ids: [101, 102],
    device_types: ["router"],
    error_summary: { unreachable: 2, protocol_errors: 0 },
  },
  created_at: "2026-01-01T10:00:00.123Z",
  updated_at: "2026-01-01T10:05:00Z",
  scheduled_for: "2026-01-01T10:00:00Z",
  started_at: "2026-01-01T10:00:01Z",
  finished_at: "2026-01-01T10:05:00Z",
  estimated_completion: null,
  cancel_requested_at: null,
  retry_of: null,
};

describe("tables", () => {
  it("lists operations one row each with progress and counts", () => {
    const text = operationsTable([operation]);
    const row = text.split("\n").find((l) => l.includes("bulk_serial_sync"));
    expect(row).toMatch(
      /│ 7 +│ bulk_serial_sync │ completed_with_errors │ 100% +│ 10\/10 +│ 2 +│ 101,102 │ high +│ 2026-01-01 10:00:00Z │/,
    );
  });

  it("shows an operation's error summary without the zero counts", () => {
    const text = operationDetail(operation);
    expect(text).toMatch(/│ unreachable +│ 2 +│/);
    expect(text).not.toContain("protocol_errors");
    expect(text).toMatch(/│ devices +│ 10\/10 processed, 2 failed/);
  });

  it("shows failed devices with code and message, dashes for what is missing", () => {
    const result: DeviceResult = {
      device_id: "55",
      hostname: null,
      status: "failed",
      error_code: "authentication_failures",
      error_message: "wrong community",
      attempts: 3,
      started_at: null,
      finished_at: null,
      observed: null,
    };
    expect(failuresTable([result])).toMatch(
      /│ 55 +│ - +│ authentication_failures │ wrong community │ 3 +│ - +│/,
    );
  });

  it("says how to get the next page", () => {
    expect(pageFooter(45, 1, 20, true)).toBe("20 of 45 shown (page 1); next: --page 2");
    expect(pageFooter(0, 1, 0, false)).toBe("no results");
  });
});
