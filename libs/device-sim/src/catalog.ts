import type { DeviceType } from "@headless-ops/contracts";

/*
 * Device families in the style of real vendors: what sysDescr, sysObjectID, serial numbers and the
 * ENTITY-MIB chassis entry look like. `softwareRevShare` is how often entPhysicalSoftwareRev is filled;
 * otherwise the firmware has to be parsed from sysDescr, as on many real boxes.
 */

export type Rng = () => number;

export type Family = {
  vendor: string;
  /** entPhysicalMfgName as the vendor's agents report it. */
  mfgName: string;
  deviceType: DeviceType;
  model: string;
  sysObjectId: string;
  hostPrefix: string;
  firmwares: readonly string[];
  sysDescr: (model: string, firmware: string) => string;
  serial: (rng: Rng) => string;
  softwareRevShare: number;
  /** Stackable switches: some devices are stacks (index 1 = stack, 1001/2001 = member chassis). */
  stackable: boolean;
  /** The agent marks no entry as chassis(3): inventory tools fall back to the lowest index. */
  noChassisClass?: boolean;
  weight: number;
};

const upper = "ABCDEFGHJKLMNPQRSTUVWXYZ";
const alnum = "0123456789ABCDEFGHJKLMNPQRSTUVWXYZ";
const pick = (rng: Rng, chars: string, n: number): string =>
  Array.from({ length: n }, () => chars[Math.floor(rng() * chars.length)]).join("");
const digits = (rng: Rng, n: number): string => pick(rng, "0123456789", n);

const cisco = (rng: Rng) =>
  `${pick(rng, "FJ", 1)}${pick(rng, "OC", 1)}${pick(rng, "CX", 1)}${digits(rng, 4)}${pick(rng, alnum, 4)}`;
const iosXe = (platform: string) => (model: string, fw: string) =>
  `Cisco IOS Software [Dublin], ${platform} Software (${model.startsWith("C9") ? "CAT9K_IOSXE" : "X86_64_LINUX_IOSD-UNIVERSALK9-M"}), Version ${fw}, RELEASE SOFTWARE (fc3)\r\nTechnical Support: http://www.cisco.com/techsupport\r\nCopyright (c) 1986-2024 by Cisco Systems, Inc.\r\nCompiled Thu 21-Mar-24 09:13 by mcpre`;

export const families: readonly Family[] = [
  {
    vendor: "Cisco",
    mfgName: "Cisco Systems, Inc.",
    deviceType: "switch",
    model: "C9300-48P",
    sysObjectId: "1.3.6.1.4.1.9.1.2494",
    hostPrefix: "sw-c9300",
    firmwares: ["17.9.4a", "17.12.3", "17.6.5"],
    sysDescr: iosXe("Catalyst L3 Switch"),
    serial: cisco,
    softwareRevShare: 0.5,
    stackable: true,
    weight: 20,
  },
  {
    vendor: "Cisco",
    mfgName: "Cisco Systems, Inc.",
    deviceType: "switch",
    model: "WS-C2960X-48FPD-L",
    sysObjectId: "1.3.6.1.4.1.9.1.1208",
    hostPrefix: "sw-c2960",
    firmwares: ["15.2(7)E8", "15.2(7)E10"],
    sysDescr: (_m, fw) =>
      `Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version ${fw}, RELEASE SOFTWARE (fc1)\r\nTechnical Support: http://www.cisco.com/techsupport\r\nCopyright (c) 1986-2023 by Cisco Systems, Inc.`,
    serial: cisco,
    softwareRevShare: 0.3,
    stackable: true,
    weight: 10,
  },
  {
    vendor: "Cisco",
    mfgName: "Cisco Systems, Inc.",
    deviceType: "router",
    model: "ISR4431/K9",
    sysObjectId: "1.3.6.1.4.1.9.1.2068",
    hostPrefix: "rt-isr4431",
    firmwares: ["17.9.5", "17.6.6a"],
    sysDescr: iosXe("ISR"),
    serial: cisco,
    softwareRevShare: 0.5,
    stackable: false,
    weight: 8,
  },
  {
    vendor: "Cisco",
    mfgName: "Cisco Systems, Inc.",
    deviceType: "switch",
    model: "N9K-C93180YC-FX",
    sysObjectId: "1.3.6.1.4.1.9.12.3.1.3.1812",
    hostPrefix: "nx-93180",
    firmwares: ["9.3(10)", "10.2(6)"],
    sysDescr: (_m, fw) =>
      `Cisco NX-OS(tm) Nexus9000 C93180YC-FX, Software (NXOS 64-bit), Version ${fw}, RELEASE SOFTWARE Copyright (c) 2002-2023 by Cisco Systems, Inc. Compiled 8/28/2023 12:00:00`,
    serial: cisco,
    softwareRevShare: 0.3,
    stackable: false,
    weight: 6,
  },
  {
    vendor: "Juniper",
    mfgName: "Juniper Networks",
    deviceType: "router",
    model: "MX204",
    sysObjectId: "1.3.6.1.4.1.2636.1.1.1.2.150",
    hostPrefix: "rt-mx204",
    firmwares: ["21.4R3-S4.9", "22.2R3.15"],
    sysDescr: (m, fw) =>
      `Juniper Networks, Inc. ${m.toLowerCase()} internet router, kernel JUNOS ${fw}, Build date: 2023-06-01 02:14:09 UTC Copyright (c) 1996-2023 Juniper Networks, Inc.`,
    serial: (rng) => `JN1${pick(rng, alnum, 9)}`,
    softwareRevShare: 0,
    stackable: false,
    weight: 6,
  },
  {
    vendor: "Juniper",
    mfgName: "Juniper Networks",
    deviceType: "firewall",
    model: "SRX345",
    sysObjectId: "1.3.6.1.4.1.2636.1.1.1.2.136",
    hostPrefix: "fw-srx345",
    firmwares: ["21.4R3-S5.4", "22.4R2.8"],
    sysDescr: (m, fw) =>
      `Juniper Networks, Inc. ${m.toLowerCase()} internet router, kernel JUNOS ${fw}, Build date: 2023-08-10 19:04:11 UTC Copyright (c) 1996-2023 Juniper Networks, Inc.`,
    serial: (rng) => `CZ${digits(rng, 4)}AF${digits(rng, 4)}`,
    softwareRevShare: 0,
    stackable: false,
    weight: 5,
  },
  {
    vendor: "Arista",
    mfgName: "Arista Networks",
    deviceType: "switch",
    model: "DCS-7050SX3-48YC8",
    sysObjectId: "1.3.6.1.4.1.30065.1.3011.7050.3741.48",
    hostPrefix: "ar-7050",
    firmwares: ["4.30.2F", "4.31.1F"],
    sysDescr: (m, fw) => `Arista Networks EOS version ${fw} running on an Arista Networks ${m}`,
    serial: (rng) => `JPE${digits(rng, 8)}`,
    softwareRevShare: 0.5,
    stackable: false,
    weight: 8,
  },
  {
    vendor: "Aruba",
    mfgName: "Aruba Networks",
    deviceType: "wireless_controller",
    model: "7030",
    sysObjectId: "1.3.6.1.4.1.14823.1.1.40",
    hostPrefix: "wlc-7030",
    firmwares: ["8.10.0.7", "8.11.2.1"],
    sysDescr: (m, fw) => `ArubaOS (MODEL: Aruba${m}-US), Version ${fw} LSR`,
    serial: (rng) => `CV${pick(rng, alnum, 8)}`,
    softwareRevShare: 0,
    stackable: false,
    weight: 4,
  },
  {
    vendor: "Aruba",
    mfgName: "Aruba Networks",
    deviceType: "access_point",
    model: "AP-515",
    sysObjectId: "1.3.6.1.4.1.14823.1.2.111",
    hostPrefix: "ap-515",
    firmwares: ["8.10.0.7", "8.11.2.1"],
    sysDescr: (m, fw) => `ArubaOS (MODEL: ${m}), Version ${fw}`,
    serial: (rng) => `CN${pick(rng, alnum, 8)}`,
    softwareRevShare: 0,
    stackable: false,
    noChassisClass: true,
    weight: 12,
  },
  {
    vendor: "Aruba",
    mfgName: "Aruba",
    deviceType: "switch",
    model: "JL658A 6300M",
    sysObjectId: "1.3.6.1.4.1.47196.4.1.1.1.304",
    hostPrefix: "sw-6300",
    firmwares: ["FL.10.10.1020", "FL.10.13.1005"],
    sysDescr: (m, fw) => `Aruba ${m} 24SR5 CL6 PoE 4SFP56 Swch ${fw}`,
    serial: (rng) => `SG${digits(rng, 2)}${pick(rng, upper, 1)}${pick(rng, alnum, 7)}`,
    softwareRevShare: 0,
    stackable: true,
    weight: 8,
  },
  {
    vendor: "Fortinet",
    mfgName: "Fortinet",
    deviceType: "firewall",
    model: "FortiGate-100F",
    sysObjectId: "1.3.6.1.4.1.12356.101.1.1041",
    hostPrefix: "fw-fg100f",
    firmwares: ["v7.2.8", "v7.4.3"],
    sysDescr: (m) => `${m}`,
    serial: (rng) => `FG100FTK${digits(rng, 8)}`,
    softwareRevShare: 1,
    stackable: false,
    weight: 5,
  },
  {
    vendor: "Cisco",
    mfgName: "Cisco Systems, Inc.",
    deviceType: "gateway",
    model: "C1111-8P",
    sysObjectId: "1.3.6.1.4.1.9.1.2593",
    hostPrefix: "gw-c1111",
    firmwares: ["17.9.4a", "17.12.2"],
    sysDescr: iosXe("ISR"),
    serial: cisco,
    softwareRevShare: 0.5,
    stackable: false,
    weight: 8,
  },
];

const totalWeight = families.reduce((sum, f) => sum + f.weight, 0);

export function pickFamily(rng: Rng): Family {
  let ticket = rng() * totalWeight;
  for (const family of families) {
    ticket -= family.weight;
    if (ticket < 0) return family;
  }
  return families[families.length - 1] as Family;
}
