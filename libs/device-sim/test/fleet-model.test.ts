import { describe, expect, it } from "vitest";
import { buildFleet, csvColumns, inventoryCsv } from "../src/index.js";

describe("fleet model", () => {
  it("is deterministic from the seed, and a device does not depend on the fleet size", () => {
    const a = buildFleet({ devices: 200, seed: 7, faultRate: 0.2, v3Share: 0.3 });
    const b = buildFleet({ devices: 200, seed: 7, faultRate: 0.2, v3Share: 0.3 });
    const small = buildFleet({ devices: 20, seed: 7, faultRate: 0.2, v3Share: 0.3 });
    const other = buildFleet({ devices: 200, seed: 8, faultRate: 0.2, v3Share: 0.3 });
    expect(b).toEqual(a);
    expect(small).toEqual(a.slice(0, 20));
    expect(other.map((d) => d.serial)).not.toEqual(a.map((d) => d.serial));
  });

  it("gives every device its own loopback address, hostname and serial", () => {
    const fleet = buildFleet({ devices: 10_000, seed: 3 });
    expect(new Set(fleet.map((d) => d.address)).size).toBe(10_000);
    expect(new Set(fleet.map((d) => d.hostname)).size).toBe(10_000);
    expect(new Set(fleet.map((d) => d.serial)).size).toBeGreaterThan(9_990);
    expect(fleet.every((d) => /^127\.\d+\.\d+\.\d+$/.test(d.address) && !/\.(0|255)$/.test(d.address))).toBe(
      true,
    );
    expect(new Set(fleet.map((d) => d.vendor))).toEqual(
      new Set(["Cisco", "Juniper", "Arista", "Aruba", "Fortinet"]),
    );
  });

  it("writes the import CSV with the inventory's credentials, wrong ones included", () => {
    const fleet = buildFleet({ devices: 300, seed: 5, faultRate: 0.5, v3Share: 0.5 });
    const lines = inventoryCsv(fleet).trimEnd().split("\n");
    expect(lines[0]).toBe(csvColumns.join(","));
    expect(lines).toHaveLength(301);
    const wrong = fleet.find((d) => d.behaviour === "wrong_credentials" && d.access.version === "v2c");
    if (wrong?.access.version !== "v2c") throw new Error("fleet lacks a wrong-community device");
    const row = lines.find((l) => l.includes(`,${wrong.hostname},`))?.split(",");
    expect(row?.[csvColumns.indexOf("community")]).not.toBe(wrong.access.community);
    const v3 = lines
      .slice(1)
      .map((l) => l.split(","))
      .filter((r) => r[csvColumns.indexOf("snmp_version")] === "v3");
    expect(v3.length).toBeGreaterThan(100);
    expect(v3.every((r) => r.length === csvColumns.length)).toBe(true);
  });
});
