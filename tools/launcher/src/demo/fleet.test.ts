import { DeviceInput, deviceTypes } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { demoFleet, demoOrganizations } from "./fleet.js";

describe("demoFleet", () => {
  const fleet = demoFleet();

  it("is a few hundred valid devices of every type in every demo organization", () => {
    expect(fleet).toHaveLength(300);
    for (const device of fleet) expect(DeviceInput.safeParse(device).success).toBe(true);
    for (const org of demoOrganizations) {
      const types = new Set(fleet.filter((d) => d.organization_id === org.id).map((d) => d.device_type));
      expect([...types].sort()).toEqual([...deviceTypes].sort());
    }
    expect(new Set(fleet.map((d) => `${d.organization_id}/${d.hostname}`)).size).toBe(fleet.length);
  });

  it("has a realistic failure mix: mostly healthy, some certain and some flaky failures", () => {
    const certain = fleet.filter((d) => d.sim?.fail_rate === 1);
    const flaky = fleet.filter((d) => (d.sim?.fail_rate ?? 0) > 0 && (d.sim?.fail_rate ?? 0) < 1);
    expect(certain.length).toBeGreaterThan(10);
    expect(certain.length).toBeLessThan(60);
    expect(flaky.length).toBeGreaterThan(5);
    expect(new Set(certain.map((d) => d.sim?.fail_code)).size).toBeGreaterThanOrEqual(3);
  });

  it("is the same fleet every run", () => {
    expect(demoFleet()).toEqual(fleet);
  });
});
