import { describe, expect, it } from "vitest";
import { RateLimiter, tokenBatch } from "./rate-limiter.js";

/** An in-memory bucket with the same virtual-time rule as takeRateTokens. */
function memoryBucket() {
  let nextAt = 0;
  const takes: number[] = [];
  const take = async (_op: string, rate: number, count: number) => {
    takes.push(count);
    const now = Date.now();
    const start = Math.max(nextAt, now);
    nextAt = start + (count * 1000) / rate;
    return { waitMs: start - now, intervalMs: 1000 / rate };
  };
  return { take, takes };
}

describe("RateLimiter", () => {
  it("takes tokens in batches of a tenth of a second and releases devices at the rate", async () => {
    const bucket = memoryBucket();
    const limiter = new RateLimiter(bucket.take, () => undefined);
    const signal = new AbortController().signal;
    const t0 = Date.now();
    const released: number[] = [];
    await Promise.all(
      Array.from({ length: 30 }, () =>
        limiter.acquire("1", 100, signal).then(() => released.push(Date.now() - t0)),
      ),
    );
    // The first device takes alone (nothing else waits yet); the rest queue behind that take.
    expect(bucket.takes).toEqual([1, 10, 10, 9]);
    // 30 devices at 100/s: the last starts about 290 ms after the first.
    const span = (released.at(-1) as number) - (released[0] as number);
    expect(span).toBeGreaterThanOrEqual(280);
    expect(span).toBeLessThan(400);
  });

  it("sizes batches by the rate: one token at a time for slow limits, at most 100", () => {
    expect(tokenBatch(1)).toBe(1);
    expect(tokenBatch(500)).toBe(50);
    expect(tokenBatch(100_000)).toBe(100);
  });

  it("rejects a waiting device when its signal aborts, and serves the others", async () => {
    const bucket = memoryBucket();
    const limiter = new RateLimiter(bucket.take, () => undefined);
    const stop = new AbortController();
    const keep = new AbortController().signal;
    await limiter.acquire("1", 10, keep); // the bucket's timeline now starts 100 ms ahead
    const doomed = limiter.acquire("1", 10, stop.signal);
    const kept = limiter.acquire("1", 10, keep);
    stop.abort();
    await expect(doomed).rejects.toThrow(/aborted/);
    await expect(kept).resolves.toBeUndefined();
  });

  it("keeps devices waiting while the bucket cannot be reached, and retries the take", async () => {
    const bucket = memoryBucket();
    let failures = 2;
    const errors: unknown[] = [];
    const limiter = new RateLimiter(
      (op, rate, count) =>
        failures-- > 0 ? Promise.reject(new Error("db down")) : bucket.take(op, rate, count),
      (err) => errors.push(err),
      20,
    );
    const t0 = Date.now();
    await limiter.acquire("1", 1000, new AbortController().signal);
    expect(errors).toHaveLength(2);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(35);
    expect(bucket.takes).toEqual([1]);
  });
});
