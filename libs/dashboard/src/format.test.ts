import { describe, expect, it } from "vitest";
import { complianceCountsOf, errorBars, firmwareRule, formatEta, formatRate, isTerminal } from "./format.js";
import { addSample, MAX_SAMPLES, ratesOf } from "./throughput.js";

describe("dashboard formatting", () => {
  const now = Date.parse("2026-12-02T10:00:00Z");

  it("shows the time left until the estimated completion, and done once terminal", () => {
    expect(formatEta("2026-12-02T10:00:42Z", now, "in_progress")).toBe("42 s");
    expect(formatEta("2026-12-02T10:03:20Z", now, "in_progress")).toBe("3 min 20 s");
    expect(formatEta("2026-12-02T11:05:00Z", now, "in_progress")).toBe("1 h 5 min");
    expect(formatEta(null, now, "in_progress")).toBe("—");
    expect(formatEta("2026-12-02T09:00:00Z", now, "in_progress")).toBe("0 s");
    expect(formatEta("2026-12-02T11:00:00Z", now, "cancelled")).toBe("done");
    expect(isTerminal("completed_with_errors")).toBe(true);
    expect(isTerminal("scheduled")).toBe(false);
  });

  it("prints rates with a unit and a dash when unknown", () => {
    expect(formatRate(1234.4)).toBe("1,234/s");
    expect(formatRate(12.34)).toBe("12.3/s");
    expect(formatRate(null)).toBe("—");
  });

  it("orders error bars largest first and drops zero counts", () => {
    expect(errorBars({ unreachable: 2, connection_timeouts: 5, serial_missing: 0 })).toEqual([
      { code: "connection_timeouts", count: 5 },
      { code: "unreachable", count: 2 },
    ]);
  });
});

describe("throughput series", () => {
  it("turns absolute counters into devices per second and ignores repeats and stale events", () => {
    let s = addSample([], { at: 0, processed: 0 });
    s = addSample(s, { at: 1000, processed: 50 });
    s = addSample(s, { at: 1000, processed: 50 }); // the snapshot of a reconnect
    s = addSample(s, { at: 900, processed: 40 }); // late, older
    s = addSample(s, { at: 3000, processed: 150 });
    expect(ratesOf(s)).toEqual([
      { at: 1000, perSecond: 50 },
      { at: 3000, perSecond: 50 },
    ]);
  });

  it("keeps a bounded number of samples", () => {
    let s = addSample([], { at: 0, processed: 0 });
    for (let i = 1; i <= MAX_SAMPLES + 10; i += 1) s = addSample(s, { at: i, processed: i });
    expect(s).toHaveLength(MAX_SAMPLES);
    expect(s[s.length - 1]).toEqual({ at: MAX_SAMPLES + 10, processed: MAX_SAMPLES + 10 });
  });
});

describe("compliance", () => {
  it("takes the verdict counts when the API gives all three, and nothing when absent, null or partial", () => {
    const counts = { compliant: 7, non_compliant: 2, unknown: 1 };
    expect(complianceCountsOf({ error_summary: {}, compliance_summary: counts })).toEqual(counts);
    expect(complianceCountsOf({ error_summary: {} })).toBeUndefined();
    expect(complianceCountsOf({ compliance_summary: null })).toBeUndefined();
    expect(complianceCountsOf({ compliance_summary: { compliant: 1 } })).toBeUndefined();
  });

  it("says what a baseline demands of the firmware", () => {
    expect(firmwareRule({ min_firmware: "17.12.3", allowed_firmware: null })).toBe(">= 17.12.3");
    expect(firmwareRule({ min_firmware: "1", allowed_firmware: ["4.30.2F", "4.31.1F"] })).toBe(
      "one of 4.30.2F, 4.31.1F",
    );
    expect(firmwareRule({ min_firmware: null, allowed_firmware: null })).toBe("any");
  });
});
