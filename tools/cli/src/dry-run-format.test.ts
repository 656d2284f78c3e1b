import { describe, expect, it } from "vitest";
import { type DryRun, dryRunSummary, formatMinutes } from "./dry-run-format.js";

const view: DryRun = {
  dry_run: true,
  operation_type: "inventory_audit",
  scheduled_for: "2026-12-02T10:00:00Z",
  target_device_count: 1250,
  estimated_duration_minutes: 65,
  counts: {
    by_organization: { "101": 1000, "102": 250 },
    by_type: { switch: 900, router: 350 },
    by_status: { active: 1250 },
    by_driver: { snmp: 1200, simulated: 50 },
  },
  unprobeable: {
    count: 3,
    by_reason: { no_address: 2, no_credentials: 1 },
    sample: [
      { id: "4", hostname: "sw-4", organization_id: 101, reason: "no_address" },
      { id: "9", hostname: "rt-9", organization_id: 102, reason: "no_credentials" },
    ],
  },
  sample: [],
};

describe("dryRunSummary", () => {
  const text = dryRunSummary(view);

  it("leads with what would run, when and how long", () => {
    expect(text.split("\n").slice(0, 4)).toEqual([
      "dry run (nothing scheduled): inventory_audit over 1,250 devices",
      "  would run at:        2026-12-02 10:00:00Z",
      "  estimated duration:  1 h 5 min",
      "  cannot be probed:    3",
    ]);
  });

  it("counts by organization, type, status and driver in small tables, largest first", () => {
    expect(text).toMatch(/ORGANIZATION │ DEVICES[\s\S]*101 +│ 1000[\s\S]*102 +│ 250/);
    expect(text).toMatch(/TYPE +│ DEVICES[\s\S]*switch │ 900[\s\S]*router │ 350/);
    expect(text).toMatch(/DRIVER +│ DEVICES[\s\S]*snmp +│ 1200[\s\S]*simulated │ 50/);
  });

  it("names the unprobeable devices by reason, with the sample", () => {
    expect(text).toMatch(/no management address +│ 2/);
    expect(text).toMatch(/no SNMP credentials +│ 1/);
    expect(text).toContain("sample (2 of 3):");
    expect(text).toMatch(/│ 9 +│ rt-9 +│ 102 │ no_credentials │/);
  });

  it("says so when nothing matches, and has no unprobeable part when all can be probed", () => {
    const none = dryRunSummary({ ...view, target_device_count: 0, estimated_duration_minutes: 0 });
    expect(none).toContain("no device matches");
    const clean = dryRunSummary({ ...view, unprobeable: { count: 0, by_reason: {}, sample: [] } });
    expect(clean).not.toContain("cannot be probed:\n");
    expect(clean).not.toContain("REASON");
    expect(formatMinutes(0)).toBe("< 1 min");
    expect(formatMinutes(120)).toBe("2 h");
  });
});
