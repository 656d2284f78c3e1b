import type { OperationLiveView } from "@headless-ops/contracts";
import type { OperationRow } from "../operations/operation-view.js";
import { applyProgress, applyRow, isTerminal, type LiveState, liveStateOf } from "./live-view.js";
import type { ProgressHub } from "./progress-hub.js";
import type { SseStream } from "./sse-stream.js";

export type OperationStreamOptions = {
  hub: ProgressHub;
  stream: SseStream;
  /** The operation as read for this request (tenancy already checked). */
  row: OperationRow;
  heartbeatMs: number;
  /** Least time between two `progress` events of the stream; the latest state wins. */
  minIntervalMs: number;
};

/**
 * One client's stream of one operation: `snapshot`, then `progress` at most every `minIntervalMs`,
 * then `finished` and the end. An already terminal operation gets `snapshot` and `finished` at once.
 */
export function streamOperation(opts: OperationStreamOptions): void {
  const { hub, stream, row } = opts;
  let state: LiveState = liveStateOf(row, hub.rateOf(row.id));
  stream.send("snapshot", state.view);
  if (isTerminal(state.view.status)) {
    stream.send("finished", state.view);
    stream.end();
    return;
  }
  let pending: OperationLiveView | undefined;
  let lastSent = 0;
  let flushTimer: NodeJS.Timeout | undefined;
  const flush = () => {
    flushTimer = undefined;
    if (!pending) return;
    stream.send("progress", pending);
    pending = undefined;
    lastSent = Date.now();
  };
  const unwatch = hub.watch(row.id, (update) => {
    const next =
      update.kind === "progress"
        ? applyProgress(state, update.event)
        : applyRow(state, update.row, hub.rateOf(row.id));
    if (!next) return;
    state = next;
    if (isTerminal(state.view.status)) {
      clearTimeout(flushTimer);
      stream.send("finished", state.view);
      stream.end();
      return;
    }
    pending = state.view;
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
