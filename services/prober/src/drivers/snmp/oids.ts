/** The objects the SNMP driver reads (SNMPv2-MIB system group, ENTITY-MIB entPhysicalEntry). */
export const sysDescr = "1.3.6.1.2.1.1.1.0";
export const sysObjectId = "1.3.6.1.2.1.1.2.0";
export const sysUpTime = "1.3.6.1.2.1.1.3.0";
export const sysName = "1.3.6.1.2.1.1.5.0";

export const entPhysicalEntry = "1.3.6.1.2.1.47.1.1.1.1";
export const entColumn = {
  class: 5,
  softwareRev: 10,
  serialNum: 11,
  mfgName: 12,
  modelName: 13,
} as const;
export const entPhysicalClassChassis = 3;

export const entOid = (column: number, index: number): string => `${entPhysicalEntry}.${column}.${index}`;

/** Where inventory tools look first: the chassis of a standalone box, then switch 1 of a stack. */
export const chassisCandidates = [1, 1001] as const;

/** Enterprise numbers (sysObjectID 1.3.6.1.4.1.<n>) of common vendors. */
export const enterpriseVendors: Record<number, string> = {
  9: "Cisco",
  2636: "Juniper",
  30065: "Arista",
  14823: "Aruba",
  47196: "Aruba",
  11: "HPE",
  25506: "HPE",
  12356: "Fortinet",
  25461: "Palo Alto Networks",
  6527: "Nokia",
  2011: "Huawei",
  1916: "Extreme Networks",
  674: "Dell",
  8072: "Net-SNMP",
};

export function vendorFromSysObjectId(value: string | undefined): string | undefined {
  const match = /^\.?1\.3\.6\.1\.4\.1\.(\d+)/.exec(value ?? "");
  return match?.[1] ? enterpriseVendors[Number(match[1])] : undefined;
}
