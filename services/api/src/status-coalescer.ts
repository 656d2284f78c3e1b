import type { StatusHelpers } from "./operations/status-helpers.js";

/** Entries kept at most; older ones are dropped first (they are past their interval anyway). */
const MAX_ENTRIES = 50_000;

type Entry = { at: number; running: Promise<void> };

/**
 * `update_status=true` may be sent by any token, viewers included, up to 200 operations a page: the
 * helpers (timeouts, requeue, full recount) run for an operation at most once per `intervalMs`,
 * whoever asks. A caller within the interval gets what the last run left (it waits for a run still
 * in flight). The bound is per API replica: R replicas run them at most R times per interval per
 * operation, and the per-token rate limit bounds the requests that get this far — a small, fixed
 * multiple that needs no shared state (and the helpers are idempotent, so a second run is only
 * wasted work, never a wrong answer). A failed run is forgotten, so the next caller retries it.
 */
export function coalesceStatusHelpers(
  helpers: StatusHelpers,
  intervalMs: number,
  now: () => number = Date.now,
): StatusHelpers {
  const last = new Map<string, Entry>();
  const prune = (t: number) => {
    if (last.size < MAX_ENTRIES) return;
    for (const [id, entry] of last)
      if (t - entry.at >= intervalMs || last.size >= MAX_ENTRIES) last.delete(id);
  };
  return async (pool, operationIds) => {
    const t = now();
    const due: string[] = [];
    const inFlight: Promise<void>[] = [];
    for (const id of new Set(operationIds)) {
      const entry = last.get(id);
      if (entry && t - entry.at < intervalMs) inFlight.push(entry.running);
      else due.push(id);
    }
    if (due.length > 0) {
      prune(t);
      const running = helpers(pool, due);
      for (const id of due) last.set(id, { at: t, running: running.catch(() => undefined) });
      try {
        await running;
      } catch (err) {
        for (const id of due) last.delete(id);
        throw err;
      }
    }
    await Promise.all(inFlight);
  };
}
