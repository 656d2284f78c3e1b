import { setMaxListeners } from "node:events";

/**
 * Per-attempt deadlines without a timer and an AbortController per attempt: attempts whose
 * deadlines fall in the same slice (default 10 ms) share one timer and one AbortSignal. An attempt
 * that finishes removes its callback at once, so memory holds only attempts still in flight.
 * A deadline fires at most one slice late.
 */
export type DeadlineHandle = { signal: AbortSignal; cancel: () => void };

type Slice = { controller: AbortController; callbacks: Set<() => void>; timer: NodeJS.Timeout };

export class DeadlineSlices {
  private readonly slices = new Map<number, Slice>();

  constructor(private readonly sliceMs = 10) {}

  /** Calls `onExpire` (and aborts the signal) `timeoutMs` from now unless cancelled first. */
  after(timeoutMs: number, onExpire: () => void): DeadlineHandle {
    const key = Math.ceil((Date.now() + timeoutMs) / this.sliceMs);
    let slice = this.slices.get(key);
    if (!slice) {
      const created: Slice = {
        controller: new AbortController(),
        callbacks: new Set(),
        timer: setTimeout(() => this.fire(key), Math.max(0, key * this.sliceMs - Date.now())),
      };
      // Every attempt of the slice listens on this one signal: hundreds of listeners are expected,
      // and Node's default limit (10) would print a leak warning per slice.
      setMaxListeners(0, created.controller.signal);
      this.slices.set(key, created);
      slice = created;
    }
    const callbacks = slice.callbacks;
    callbacks.add(onExpire);
    return { signal: slice.controller.signal, cancel: () => callbacks.delete(onExpire) };
  }

  /** Expires every pending deadline now (forced shutdown). */
  expireAll(): void {
    for (const key of [...this.slices.keys()]) this.fire(key);
  }

  private fire(key: number): void {
    const slice = this.slices.get(key);
    if (!slice) return;
    this.slices.delete(key);
    clearTimeout(slice.timer);
    slice.controller.abort();
    for (const callback of slice.callbacks) callback();
    slice.callbacks.clear();
  }
}
