import { families } from "@headless-ops/device-sim";
import { describe, expect, it } from "vitest";
import { firmwareFromSysDescr } from "./firmware-parser.js";

describe("firmware from sysDescr", () => {
  it.each([
    [
      "Cisco IOS Software [Dublin], Catalyst L3 Switch Software (CAT9K_IOSXE), Version 17.9.4a, RELEASE SOFTWARE (fc3)",
      "17.9.4a",
    ],
    [
      "Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, RELEASE SOFTWARE (fc1)",
      "15.2(7)E8",
    ],
    [
      "Cisco NX-OS(tm) n9000, Software (n9000-dk9), Version 9.3(10), RELEASE SOFTWARE Copyright (c) 2002-2022",
      "9.3(10)",
    ],
    [
      "Juniper Networks, Inc. ex4300-48t Ethernet Switch, kernel JUNOS 21.4R3-S4.9, Build date: 2023-06-01",
      "21.4R3-S4.9",
    ],
    ["Arista Networks EOS version 4.30.2F running on an Arista Networks DCS-7050SX3-48YC8", "4.30.2F"],
    ["ArubaOS (MODEL: Aruba7030-US), Version 8.10.0.7 LSR", "8.10.0.7"],
    ["Aruba JL658A 6300M 24SR5 CL6 PoE 4SFP56 Swch FL.10.10.1020", "FL.10.10.1020"],
    [
      "HP J9850A Switch 5406Rzl2, revision KB.16.10.0012, ROM KB.16.01.0008 (/ws/swbuildm/rel_)",
      "KB.16.10.0012",
    ],
  ])("%s", (sysDescr, firmware) => {
    expect(firmwareFromSysDescr(sysDescr)).toBe(firmware);
  });

  it("gives nothing for formats it does not know", () => {
    expect(firmwareFromSysDescr("Linux edge-01 6.1.0-18-amd64 #1 SMP")).toBeUndefined();
    expect(firmwareFromSysDescr("")).toBeUndefined();
  });

  it("reads back the firmware of every simulator family that hides entPhysicalSoftwareRev", () => {
    for (const family of families.filter((f) => f.softwareRevShare < 1)) {
      for (const firmware of family.firmwares) {
        expect(firmwareFromSysDescr(family.sysDescr(family.model, firmware))).toBe(firmware);
      }
    }
  });
});
