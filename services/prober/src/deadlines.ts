/**
 * Per-attempt deadlines without a timer and an AbortController per attempt: attempts whose
 * deadlines fall in the same slice (default 10 ms) share one timer, one AbortSignal and one
 * "expired" promise. At tens of thousands of probes per second this is most of the prober's
 * bookkeeping saved; a deadline fires at most one slice late.
 */
export type Deadline = { signal: AbortSignal; expired: Promise<void> };

export class DeadlineSlices {
  private readonly slices = new Map<number, Deadline & { abort: () => void; timer: NodeJS.Timeout }>();

  constructor(private readonly sliceMs = 10) {}

  /** The shared deadline `timeoutMs` from now. */
  after(timeoutMs: number): Deadline {
    const key = Math.ceil((Date.now() + timeoutMs) / this.sliceMs);
    const found = this.slices.get(key);
    if (found) return found;
    const controller = new AbortController();
    let fire: () => void = () => undefined;
    const expired = new Promise<void>((resolve) => {
      fire = resolve;
    });
    const abort = () => {
      clearTimeout(slice.timer);
      this.slices.delete(key);
      controller.abort();
      fire();
    };
    const slice = {
      signal: controller.signal,
      expired,
      abort,
      timer: setTimeout(() => abort(), Math.max(0, key * this.sliceMs - Date.now())),
    };
    this.slices.set(key, slice);
    return slice;
  }

  /** Expires every pending deadline now (forced shutdown). */
  expireAll(): void {
    for (const slice of [...this.slices.values()]) slice.abort();
  }
}
