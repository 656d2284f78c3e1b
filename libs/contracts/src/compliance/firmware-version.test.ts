import { describe, expect, it } from "vitest";
import { compareFirmware, firmwareTokens, sameFirmware } from "./firmware-version.js";

/** Each list is ascending: every pair must compare in list order, both ways round. */
const ascending: Record<string, string[]> = {
  IOS: [
    "12.2(55)SE",
    "15.0(2)SE11",
    "15.2(4)M",
    "15.2(4)M7",
    "15.2(4)M10",
    "15.2(7)E8",
    "15.2(7)E10",
    "15.9(3)M4",
  ],
  "IOS-XE": ["16.12.10", "17.6.5", "17.6.6a", "17.9.4", "17.9.4a", "17.9.5", "17.12.3"],
  "NX-OS": ["7.0(3)I7(9)", "9.3(9)", "9.3(10)", "10.2(6)"],
  JUNOS: [
    "20.4R3-S9",
    "21.4B1",
    "21.4R1",
    "21.4R3",
    "21.4R3-S4.9",
    "21.4R3-S5",
    "21.4R3-S5.4",
    "22.2R3.15",
    "22.4R2.8",
  ],
  EOS: ["4.28.10M", "4.30.2F", "4.30.2M", "4.30.10F", "4.31.1F"],
  "AOS-CX": ["10.09.1010", "10.12.0006", "10.12.1000", "10.13.1005"],
};

describe("compareFirmware", () => {
  for (const [family, versions] of Object.entries(ascending)) {
    it(`orders ${family} versions`, () => {
      for (let i = 0; i < versions.length; i += 1) {
        for (let j = 0; j < versions.length; j += 1) {
          const a = versions[i] as string;
          const b = versions[j] as string;
          expect(compareFirmware(a, b), `${a} vs ${b}`).toBe(Math.sign(i - j));
        }
      }
    });
  }

  it("orders numbers as numbers, not as text", () => {
    expect(compareFirmware("15.2(4)M10", "15.2(4)M9")).toBe(1);
    expect(compareFirmware("4.30.10F", "4.30.9F")).toBe(1);
    expect(compareFirmware("10.2(6)", "9.3(10)")).toBe(1);
  });

  it("ignores case, a leading v and a leading 'Version'", () => {
    expect(compareFirmware("V17.9.4A", "17.9.4a")).toBe(0);
    expect(compareFirmware("Version 15.2(4)M7", "15.2(4)m7")).toBe(0);
    expect(sameFirmware("v4.30.2F", "4.30.2f")).toBe(true);
    expect(sameFirmware("4.30.2F", "4.30.2M")).toBe(false);
  });

  it("matches a name without digits only by itself (it has no ordering)", () => {
    // Before: compareFirmware is undefined for such a name, so it never matched anything.
    expect(sameFirmware("golden", "Golden")).toBe(true);
    expect(sameFirmware(" ROMMON ", "rommon")).toBe(true);
    expect(sameFirmware("golden", "17.9.4")).toBe(false);
    expect(sameFirmware("17.9.4", "golden")).toBe(false);
    expect(sameFirmware("golden", "golden-2")).toBe(false);
    expect(sameFirmware(" ", " ")).toBe(false);
  });

  it("says nothing about what is not a version", () => {
    expect(compareFirmware("", "17.9.4")).toBeUndefined();
    expect(compareFirmware("unknown", "17.9.4")).toBeUndefined();
    expect(compareFirmware("17.9.4", "n/a")).toBeUndefined();
    expect(firmwareTokens("  ")).toBeUndefined();
  });

  it("tokenizes into numbers and lower-case tags", () => {
    expect(firmwareTokens("15.2(4)M7")).toEqual([15, 2, 4, "m", 7]);
    expect(firmwareTokens("21.4R3-S5")).toEqual([21, 4, "r", 3, "s", 5]);
    expect(firmwareTokens("10.12.1000")).toEqual([10, 12, 1000]);
  });
});
