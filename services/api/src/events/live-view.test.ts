import type { OperationProgressEvent } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import type { OperationRow } from "../operations/operation-view.js";
import { applyProgress, applyRow, liveStateOf } from "./live-view.js";

const row = (over: Partial<OperationRow> = {}): OperationRow => ({
  id: "7",
  operation_type: "status_refresh",
  status: "in_progress",
  priority: 1,
  organization_ids: ["1"],
  request: {
    operation_type: "status_refresh",
    target_organizations: [1],
    device_filters: {},
    schedule: { execute_at: "2026-12-02T10:00:00Z", priority: "normal" },
    options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 60 },
  },
  scheduled_for: new Date("2026-12-02T10:00:00Z"),
  target_device_count: 1000,
  estimated_duration_minutes: 1,
  total_devices: 1000,
  processed_devices: 0,
  failed_devices: 0,
  error_summary: {},
  progress: 0,
  estimated_completion: null,
  fanout_cursor: null,
  cancel_requested_at: null,
  retry_of: null,
  schedule_id: null,
  created_at: new Date("2026-12-02T09:59:00Z"),
  updated_at: new Date("2026-12-02T10:00:01.000Z"),
  started_at: new Date("2026-12-02T10:00:00Z"),
  finished_at: null,
  ...over,
});

const progress = (processed: number, updatedAt: string): OperationProgressEvent => ({
  v: 1,
  operation_id: "7",
  status: "in_progress",
  progress: Math.floor(processed / 10),
  total_devices: 1000,
  processed_devices: processed,
  failed_devices: 1,
  error_summary: { unreachable: 1 },
  devices_per_second: 500,
  estimated_completion: "2026-12-02T10:00:05.500Z",
  updated_at: updatedAt,
  committed_at: updatedAt,
});

describe("live views", () => {
  it("applies a newer progress event's absolute values and ignores an older one", () => {
    const state = liveStateOf(row(), null);
    const next = applyProgress(state, progress(400, "2026-12-02T10:00:02.000Z"));
    expect(next?.view).toMatchObject({
      processed_devices: 400,
      failed_devices: 1,
      progress: 40,
      devices_per_second: 500,
      estimated_completion: "2026-12-02T10:00:05Z",
      operation_details: { error_summary: { unreachable: 1 } },
    });
    expect(next && applyProgress(next, progress(300, "2026-12-02T10:00:01.500Z"))).toBeUndefined();
  });

  it("gives streams that showed the same operation the same view object, so it is serialised once", () => {
    // Two requests read the row separately: equal content, distinct objects.
    const a = liveStateOf(row(), null);
    const b = liveStateOf(row(), null);
    expect(a.view).not.toBe(b.view);
    const event = progress(400, "2026-12-02T10:00:02.000Z");
    const nextA = applyProgress(a, event);
    const nextB = applyProgress(b, event);
    expect(nextB?.view).toBe(nextA?.view);
    // And from then on they stay shared.
    const later = progress(800, "2026-12-02T10:00:03.000Z");
    expect(nextA && applyProgress(nextA, later)?.view).toBe(nextB && applyProgress(nextB, later)?.view);
  });

  it("does not share a view between streams that showed different rows", () => {
    const a = liveStateOf(row(), null);
    const b = liveStateOf(row({ cancel_requested_at: new Date("2026-12-02T10:00:01Z") }), null);
    const event = progress(400, "2026-12-02T10:00:02.000Z");
    const nextA = applyProgress(a, event);
    const nextB = applyProgress(b, event);
    expect(nextB?.view).not.toBe(nextA?.view);
    expect(nextA?.view.cancel_requested_at).toBeNull();
    expect(nextB?.view.cancel_requested_at).toBe("2026-12-02T10:00:01Z");
    expect(nextB?.view.processed_devices).toBe(400);
  });

  it("shares a polled row's view between streams unless their rates differ", () => {
    const polled = row({ processed_devices: 900, updated_at: new Date("2026-12-02T10:00:09Z") });
    const a = applyRow(liveStateOf(row(), null), polled, 450);
    const b = applyRow(liveStateOf(row(), null), polled, 450);
    expect(b?.view).toBe(a?.view);
    expect(a?.view).toMatchObject({ processed_devices: 900, devices_per_second: 450 });
    const c = applyRow(liveStateOf(row(), null), polled, 300);
    expect(c?.view.devices_per_second).toBe(300);
  });
});
