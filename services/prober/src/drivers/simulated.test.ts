import { describe, expect, it } from "vitest";
import { simulatedRoll } from "./simulated.js";

describe("simulatedRoll", () => {
  it("is fixed per device and attempt, and spread evenly over [0, 1)", () => {
    expect(simulatedRoll("42", 1)).toBe(simulatedRoll("42", 1));
    expect(simulatedRoll("42", 1)).not.toBe(simulatedRoll("42", 2));
    const rolls = Array.from({ length: 10_000 }, (_, i) => simulatedRoll(String(i + 1), 1));
    expect(Math.min(...rolls)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...rolls)).toBeLessThan(1);
    const belowQuarter = rolls.filter((r) => r < 0.25).length / rolls.length;
    expect(belowQuarter).toBeGreaterThan(0.23);
    expect(belowQuarter).toBeLessThan(0.27);
  });
});
