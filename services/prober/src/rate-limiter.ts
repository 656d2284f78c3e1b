import type { RateGrant } from "@headless-ops/db";

/** Takes `count` tokens of an operation's shared bucket (takeRateTokens over the pool). */
export type TakeTokens = (operationId: string, ratePerSecond: number, count: number) => Promise<RateGrant>;

type Waiter = { resolve: () => void; reject: (err: Error) => void; signal: AbortSignal; onAbort: () => void };

type LocalBucket = { waiters: Waiter[]; taking: boolean };

/** Tokens taken per statement: about a tenth of a second's worth, so a take costs little per device. */
export function tokenBatch(ratePerSecond: number): number {
  return Math.max(1, Math.min(100, Math.ceil(ratePerSecond / 10)));
}

/**
 * Holds devices of rate-limited operations until the shared bucket (one Postgres row per operation,
 * shared by every replica) grants them a start time. Waiting devices of one operation are served in
 * batches: one take for up to `tokenBatch(rate)` of them, each then released at its own slot on the
 * common timeline. Nothing polls: a device sleeps until its slot, and a take is made only for
 * devices already waiting, so no token is reserved for work this replica does not have.
 */
export class RateLimiter {
  private readonly buckets = new Map<string, LocalBucket>();

  constructor(
    private readonly take: TakeTokens,
    private readonly onError: (err: unknown, operationId: string) => void,
    private readonly retryMs = 1_000,
  ) {}

  /** Resolves when one device of the operation may start; rejects when `signal` aborts first. */
  acquire(operationId: string, ratePerSecond: number, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new Error("aborted while waiting for a rate token"));
    return new Promise((resolve, reject) => {
      let bucket = this.buckets.get(operationId);
      if (!bucket) {
        bucket = { waiters: [], taking: false };
        this.buckets.set(operationId, bucket);
      }
      const waiter: Waiter = {
        resolve,
        reject,
        signal,
        onAbort: () => {
          const list = this.buckets.get(operationId)?.waiters;
          const at = list?.indexOf(waiter) ?? -1;
          if (list && at >= 0) list.splice(at, 1);
          reject(new Error("aborted while waiting for a rate token"));
        },
      };
      signal.addEventListener("abort", waiter.onAbort, { once: true });
      bucket.waiters.push(waiter);
      this.pump(operationId, ratePerSecond, bucket);
    });
  }

  private pump(operationId: string, rate: number, bucket: LocalBucket): void {
    if (bucket.taking) return;
    if (bucket.waiters.length === 0) {
      this.buckets.delete(operationId);
      return;
    }
    const batch = bucket.waiters.splice(0, tokenBatch(rate));
    bucket.taking = true;
    this.take(operationId, rate, batch.length).then(
      (grant) => {
        bucket.taking = false;
        for (const [i, w] of batch.entries()) release(w, grant.waitMs + i * grant.intervalMs);
        this.pump(operationId, rate, bucket);
      },
      (err) => {
        // Without the bucket the limit cannot be kept: the devices wait and the take is retried.
        this.onError(err, operationId);
        bucket.waiters.unshift(...batch.filter((w) => !w.signal.aborted));
        setTimeout(() => {
          bucket.taking = false;
          this.pump(operationId, rate, bucket);
        }, this.retryMs).unref();
      },
    );
  }
}

function release(waiter: Waiter, delayMs: number): void {
  if (waiter.signal.aborted) return;
  const go = () => {
    waiter.signal.removeEventListener("abort", waiter.onAbort);
    if (waiter.signal.aborted) return;
    waiter.resolve();
  };
  if (delayMs <= 0) go();
  else setTimeout(go, delayMs);
}
