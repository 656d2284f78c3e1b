import type { OperationLiveView } from "@headless-ops/contracts";
import type { OperationRow } from "../operations/operation-view.js";
import { applyProgress, applyRow, type LiveState, liveStateOf } from "./live-view.js";
import type { ProgressHub } from "./progress-hub.js";
import type { SseStream } from "./sse-stream.js";

export type ListStreamOptions = {
  hub: ProgressHub;
  stream: SseStream;
  /** The newest visible operations, as read for this request. */
  rows: OperationRow[];
  /** The token's organizations: an operation is visible when all of its organizations are among them. */
  organizationIds: number[];
  /** Only operations that target this organization (the query's `organization_id`). */
  organizationId: number | undefined;
  heartbeatMs: number;
  minIntervalMs: number;
};

/** Operations a list stream remembers, so a flood of new ones cannot grow a stream without bound. */
const MAX_TRACKED = 1_000;

/**
 * One client's stream of the operations list: `snapshot` with the newest visible operations, then
 * `operation` whenever one of them, or a new visible one, changes (each at most every
 * `minIntervalMs`, the latest state wins). Never ends by itself.
 */
export function streamOperationList(opts: ListStreamOptions): void {
  const { hub, stream } = opts;
  const orgs = new Set(opts.organizationIds.map(String));
  const visible = (row: OperationRow) =>
    row.organization_ids.every((id) => orgs.has(String(id))) &&
    (opts.organizationId === undefined ||
      row.organization_ids.map(String).includes(String(opts.organizationId)));
  const states = new Map<string, LiveState>();
  for (const row of opts.rows) states.set(row.id, liveStateOf(row, hub.rateOf(row.id)));
  stream.send("snapshot", { results: [...states.values()].map((s) => s.view) });

  const pending = new Map<string, OperationLiveView>();
  let flushTimer: NodeJS.Timeout | undefined;
  let lastSent = 0;
  const flush = () => {
    flushTimer = undefined;
    for (const view of pending.values()) stream.send("operation", view);
    pending.clear();
    lastSent = Date.now();
  };
  const unwatch = hub.watchAll((update) => {
    let next: LiveState | undefined;
    if (update.kind === "progress") {
      // Progress of an operation the stream has not seen as a row: its tenancy is unknown yet.
      const state = states.get(update.event.operation_id);
      next = state && applyProgress(state, update.event);
    } else {
      if (!visible(update.row)) return;
      const state = states.get(update.row.id);
      next = state ? applyRow(state, update.row, hub.rateOf(update.row.id)) : liveStateOf(update.row, null);
    }
    if (!next) return;
    if (!states.has(next.view.id) && states.size >= MAX_TRACKED)
      states.delete(states.keys().next().value as string);
    states.set(next.view.id, next);
    pending.set(next.view.id, next.view);
    const wait = lastSent + opts.minIntervalMs - Date.now();
    if (wait <= 0) flush();
    else flushTimer ??= setTimeout(flush, wait);
  });
  const heartbeat = setInterval(() => stream.comment("heartbeat"), opts.heartbeatMs);
  stream.whenClosed(() => {
    unwatch();
    clearInterval(heartbeat);
    clearTimeout(flushTimer);
  });
}
