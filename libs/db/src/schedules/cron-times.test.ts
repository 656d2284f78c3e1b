import { describe, expect, it } from "vitest";
import { cronProblem, dueFireTimes, nextFireTimes } from "./cron-times.js";

const NY = "America/New_York";

describe("cron fire times", () => {
  it("runs a 02:30 job once on the spring-forward day (the gap) and once on the fall-back day", () => {
    const spec = { cron: "30 2 * * *", timezone: NY };
    // 2026-03-08: clocks jump 02:00 → 03:00 EST→EDT; 02:30 does not exist.
    const spring = dueFireTimes(spec, new Date("2026-03-08T00:00:00Z"), new Date("2026-03-09T04:00:00Z"));
    expect(spring.map((d) => d.toISOString())).toEqual(["2026-03-08T07:00:00.000Z"]); // 03:00 EDT, the first valid time after the gap
    // 2026-11-01: clocks go 02:00 EDT → 01:00 EST; 02:30 happens once (EST).
    const fall = dueFireTimes(spec, new Date("2026-11-01T00:00:00Z"), new Date("2026-11-02T04:00:00Z"));
    expect(fall.map((d) => d.toISOString())).toEqual(["2026-11-01T07:30:00.000Z"]);
  });

  it("a 01:30 job on the fall-back day runs once although 01:30 occurs twice", () => {
    const spec = { cron: "30 1 * * *", timezone: NY };
    const fall = dueFireTimes(spec, new Date("2026-11-01T04:00:00Z"), new Date("2026-11-02T04:00:00Z"));
    expect(fall).toHaveLength(1);
  });

  it("lists the next five runs within starts_at and ends_at", () => {
    const spec = {
      cron: "0 3 * * 1",
      timezone: "Europe/Zurich",
      startsAt: new Date("2026-01-01T00:00:00Z"),
      endsAt: new Date("2026-01-27T00:00:00Z"),
    };
    const runs = nextFireTimes(spec, new Date("2025-12-01T00:00:00Z"), 5).map((d) => d.toISOString());
    expect(runs).toEqual([
      "2026-01-05T02:00:00.000Z",
      "2026-01-12T02:00:00.000Z",
      "2026-01-19T02:00:00.000Z",
      "2026-01-26T02:00:00.000Z",
    ]);
  });

  it("refuses malformed crons and unknown timezones with the field named", () => {
    expect(cronProblem("0 2 * * *", "Europe/Zurich")).toBeUndefined();
    expect(cronProblem("0 2 * *", "UTC")?.path).toBe("cron");
    expect(cronProblem("0 0 2 * * *", "UTC")?.path).toBe("cron");
    expect(cronProblem("61 2 * * *", "UTC")?.path).toBe("cron");
    expect(cronProblem("0 2 * * *", "Mars/Olympus")?.path).toBe("timezone");
  });
});
