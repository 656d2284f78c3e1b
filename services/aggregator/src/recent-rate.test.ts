import { describe, expect, it } from "vitest";
import { RecentRate } from "./recent-rate.js";

describe("RecentRate", () => {
  it("reports devices per second over the window once an operation has a second of history", () => {
    const rate = new RecentRate(10_000);
    rate.record("1", 500, 0);
    expect(rate.ratesFor(["1"], 500).has("1")).toBe(false);
    rate.record("1", 1_500, 1_000);
    expect(rate.ratesFor(["1"], 2_000).get("1")).toBe(1_000);
    // Old samples leave the window: the rate follows the recent pace.
    rate.record("1", 100, 20_000);
    expect(rate.ratesFor(["1"], 20_000).get("1")).toBe(10);
    rate.forget("1");
    expect(rate.ratesFor(["1"], 20_000).size).toBe(0);
  });
});
