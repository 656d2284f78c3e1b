import { isDeepStrictEqual } from "node:util";
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

/** The view of each polled row (one poll's row goes to every stream of its operation), by rate. */
const rowViews = new WeakMap<OperationRow, { rate: number | null; view: OperationLiveView }>();

/** An operation row as a stream shows it: the GET item plus the recent rate. */
export function liveStateOf(row: OperationRow, devicesPerSecond: number | null): LiveState {
  const known = rowViews.get(row);
  const view =
    known?.rate === devicesPerSecond
      ? known.view
      : { ...operationView(row), devices_per_second: devicesPerSecond };
  if (known?.view !== view) rowViews.set(row, { rate: devicesPerSecond, view });
  return { view, at: row.updated_at.getTime() };
}

/** The fields a progress event replaces; the rest of a view comes from the operation's row. */
const PROGRESS_FIELDS = new Set<string>([
  "status",
  "progress",
  "total_devices",
  "processed_devices",
  "failed_devices",
  "estimated_completion",
  "updated_at",
  "devices_per_second",
  "operation_details",
]);

/** Whether two views agree on everything a progress event leaves as it is. */
function sameBase(a: OperationLiveView, b: OperationLiveView): boolean {
  if (a === b) return true;
  const keys = Object.keys(a) as (keyof OperationLiveView)[];
  if (keys.length !== Object.keys(b).length) return false;
  for (const key of keys) {
    if (key === "operation_details") {
      const { error_summary: _a, ...restA } = a.operation_details;
      const { error_summary: _b, ...restB } = b.operation_details;
      if (!isDeepStrictEqual(restA, restB)) return false;
    } else if (!PROGRESS_FIELDS.has(key) && !isDeepStrictEqual(a[key], b[key])) return false;
  }
  return true;
}

/**
 * The view each event produced, and from which base: every stream of an operation applies the same
 * event, and those that showed the same view get the same object back (so SseStream serialises it
 * once for all of them — with a thousand streams on one operation that is most of the API's work).
 */
const derived = new WeakMap<OperationProgressEvent, { base: OperationLiveView; view: OperationLiveView }>();

/**
 * A progress event applied to the last state of its operation: the event carries absolute values, so
 * it replaces the counters; an event not newer than the state (a late delivery) changes nothing.
 */
export function applyProgress(state: LiveState, event: OperationProgressEvent): LiveState | undefined {
  const at = Date.parse(event.updated_at);
  if (at <= state.at) return undefined;
  // The terminal state is shown from its row (with finished_at), which the hub polls at once.
  if (isTerminal(state.view.status) || isTerminal(event.status)) return undefined;
  const known = derived.get(event);
  if (known && sameBase(known.base, state.view)) return { view: known.view, at };
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
  derived.set(event, { base: state.view, view });
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
