import { describe, expect, it } from "vitest";
import { estimateMinutes } from "./estimate.js";

describe("estimateMinutes", () => {
  it("is zero without devices and at least a minute with any", () => {
    expect(estimateMinutes(0, 60_000)).toBe(0);
    expect(estimateMinutes(1, 60_000)).toBe(1);
  });

  it("rounds up whole minutes at the given throughput", () => {
    expect(estimateMinutes(245, 3)).toBe(82);
    expect(estimateMinutes(120_000, 60_000)).toBe(2);
    expect(estimateMinutes(120_001, 60_000)).toBe(3);
  });
});
