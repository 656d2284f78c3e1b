import type { OperationLiveView, OperationProgressEvent } from "@headless-ops/contracts";
import { type OperationRow, operationView } from "../operations/operation-view.js";
import { isoZ } from "../time.js";

const TERMINAL = new Set(["completed", "completed_with_errors", "failed", "cancelled"]);

export const isTerminal = (status: string): boolean => TERMINAL.has(status);

/**
 * What a stream last showed of an operation, and the exact `updated_at` (ms) it came from: the view
 * prints whole seconds, too coarse to tell a newer change from the same one.
 */
export type LiveState = { view: OperationLiveView; at: number };

/** An operation row as a stream shows it: the GET item plus the recent rate. */
export function liveStateOf(row: OperationRow, devicesPerSecond: number | null): LiveState {
  return {
    view: { ...operationView(row), devices_per_second: devicesPerSecond },
    at: row.updated_at.getTime(),
  };
}

/**
 * A progress event applied to the last state of its operation: the event carries absolute values, so
 * it replaces the counters; an event not newer than the state (a late delivery) changes nothing.
 */
export function applyProgress(state: LiveState, event: OperationProgressEvent): LiveState | undefined {
  const at = Date.parse(event.updated_at);
  if (at <= state.at) return undefined;
  // The terminal state is shown from its row (with finished_at), which the hub polls at once.
  if (isTerminal(state.view.status) || isTerminal(event.status)) return undefined;
  const view: OperationLiveView = {
    ...state.view,
    status: event.status,
    progress: event.progress,
    total_devices: event.total_devices,
    processed_devices: event.processed_devices,
    failed_devices: event.failed_devices,
    estimated_completion: event.estimated_completion && isoZ(event.estimated_completion),
    updated_at: isoZ(event.updated_at),
    devices_per_second: event.devices_per_second,
    operation_details: { ...state.view.operation_details, error_summary: event.error_summary },
  };
  return { view, at };
}

/** A polled row, unless it is not newer than what the stream already showed. */
export function applyRow(
  state: LiveState,
  row: OperationRow,
  devicesPerSecond: number | null,
): LiveState | undefined {
  const newer = row.updated_at.getTime() > state.at;
  const ends = isTerminal(row.status) && !isTerminal(state.view.status);
  if (!newer && !ends) return undefined;
  return liveStateOf(row, devicesPerSecond ?? state.view.devices_per_second);
}
