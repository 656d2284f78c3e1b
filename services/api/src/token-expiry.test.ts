import { describe, expect, it } from "vitest";
import { expiryOf } from "./token-expiry.js";

const now = new Date("2026-01-01T00:00:00Z");

describe("expiryOf", () => {
  it("adds minutes, hours, days and weeks", () => {
    expect(expiryOf("30m", now).toISOString()).toBe("2026-01-01T00:30:00.000Z");
    expect(expiryOf("12h", now).toISOString()).toBe("2026-01-01T12:00:00.000Z");
    expect(expiryOf("90d", now).toISOString()).toBe("2026-04-01T00:00:00.000Z");
    expect(expiryOf("2w", now).toISOString()).toBe("2026-01-15T00:00:00.000Z");
  });

  it.each(["", "90", "0d", "-1d", "1.5d", "90 d", "1y", "d", "9999999d"])("refuses %j", (value) => {
    expect(() => expiryOf(value, now)).toThrow();
  });
});
