import { describe, expect, it } from "vitest";
import { nextAttemptAt, retryDelayMs } from "./retry-schedule.js";

const policy = { baseMs: 1_000, maxMs: 60_000 };

describe("webhook retry schedule", () => {
  it("doubles the step per failed attempt, jittered within its upper half, capped", () => {
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n, () => 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect([1, 2, 3, 4].map((n) => retryDelayMs(policy, n, () => 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect(retryDelayMs(policy, 30, () => 1)).toBe(60_000);
    expect(retryDelayMs(policy, 10_000, () => 1)).toBe(60_000);
  });

  it("spreads receivers that failed together", () => {
    const delays = new Set(Array.from({ length: 50 }, () => retryDelayMs(policy, 5)));
    expect(delays.size).toBeGreaterThan(10);
  });

  it("gives up when the next attempt would fall past the retry window", () => {
    const now = new Date("2026-01-01T00:00:00Z");
    const until = new Date(now.getTime() + 3_000);
    expect(nextAttemptAt(policy, 2, now, until, () => 1)?.toISOString()).toBe("2026-01-01T00:00:02.000Z");
    expect(nextAttemptAt(policy, 3, now, until, () => 1)).toBeUndefined();
  });
});
