import { compareOids, integer, nullValue, octets, oid, parseOid, Tag, unsigned } from "./ber.js";
import type { DeviceSpec } from "./fleet-model.js";

/*
 * What one virtual device exposes: the system group and the ENTITY-MIB entPhysicalTable, as a sorted
 * list of encoded varbinds for GET, GETNEXT and GETBULK. Built on first use and rebuilt when a serial
 * changes; sysUpTime is computed per request.
 */

const system = "1.3.6.1.2.1.1";
const entPhysicalEntry = "1.3.6.1.2.1.47.1.1.1.1";
const col = (column: number, index: number) => parseOid(`${entPhysicalEntry}.${column}.${index}`);

export const entityClass = { other: 1, chassis: 3, powerSupply: 6, module: 9, stack: 11 } as const;

type Entity = {
  index: number;
  descr: string;
  containedIn: number;
  cls: number;
  name: string;
  softwareRev: string;
  serial: string;
  mfgName: string;
  model: string;
};

export type MibEntry = { oid: number[]; key: string; value: Buffer | "uptime" };

function entities(spec: DeviceSpec): Entity[] {
  const rev = spec.softwareRevExposed ? spec.firmware : "";
  const base = { softwareRev: rev, mfgName: spec.mfgName, model: spec.model };
  const psu = (index: number, containedIn: number): Entity => ({
    index,
    descr: "Power Supply",
    containedIn,
    cls: entityClass.powerSupply,
    name: `PS-${index}`,
    softwareRev: "",
    serial: spec.serial ? `PS${spec.serial.slice(-6)}` : "",
    mfgName: spec.mfgName,
    model: "PWR-C1-715WAC",
  });
  switch (spec.layout) {
    case "no_entity":
      return [];
    case "stack":
      return [
        {
          ...base,
          index: 1,
          descr: `${spec.model} Stack`,
          containedIn: 0,
          cls: entityClass.stack,
          name: "Stack",
          serial: "",
          model: "",
        },
        {
          ...base,
          index: 1001,
          descr: spec.model,
          containedIn: 1,
          cls: entityClass.chassis,
          name: "Switch 1",
          serial: spec.serial,
        },
        psu(1002, 1001),
        ...spec.memberSerials.map((serial, i) => ({
          ...base,
          index: 2001 + i * 1000,
          descr: spec.model,
          containedIn: 1,
          cls: entityClass.chassis,
          name: `Switch ${i + 2}`,
          serial,
        })),
      ];
    case "no_chassis_class":
      return [
        {
          ...base,
          index: 1,
          descr: spec.model,
          containedIn: 0,
          cls: entityClass.other,
          name: spec.model,
          serial: spec.serial,
        },
      ];
    default:
      return [
        {
          ...base,
          index: 1,
          descr: spec.model,
          containedIn: 0,
          cls: entityClass.chassis,
          name: "Chassis",
          serial: spec.serial,
        },
        psu(2, 1),
      ];
  }
}

export function buildMib(spec: DeviceSpec): MibEntry[] {
  const entries: Array<{ oid: number[]; value: Buffer | "uptime" }> = [
    { oid: parseOid(`${system}.1.0`), value: octets(spec.sysDescr) },
    { oid: parseOid(`${system}.2.0`), value: oid(parseOid(spec.sysObjectId)) },
    { oid: parseOid(`${system}.3.0`), value: "uptime" },
    { oid: parseOid(`${system}.4.0`), value: octets("noc@example.net") },
    { oid: parseOid(`${system}.5.0`), value: octets(spec.hostname) },
    { oid: parseOid(`${system}.6.0`), value: octets(`Site ${spec.organizationId}`) },
    { oid: parseOid(`${system}.7.0`), value: integer(spec.deviceType === "switch" ? 6 : 78) },
  ];
  for (const e of entities(spec)) {
    entries.push(
      { oid: col(2, e.index), value: octets(e.descr) },
      { oid: col(4, e.index), value: integer(e.containedIn) },
      { oid: col(5, e.index), value: integer(e.cls) },
      { oid: col(7, e.index), value: octets(e.name) },
      { oid: col(10, e.index), value: octets(e.softwareRev) },
      { oid: col(11, e.index), value: octets(e.serial) },
      { oid: col(12, e.index), value: octets(e.mfgName) },
      { oid: col(13, e.index), value: octets(e.model) },
    );
  }
  entries.sort((a, b) => compareOids(a.oid, b.oid));
  return entries.map((e) => ({ ...e, key: e.oid.join(".") }));
}

const systemPrefix = parseOid(system);
const entityPrefix = parseOid("1.3.6.1.2.1.47");
const startsWith = (o: readonly number[], prefix: readonly number[]) =>
  prefix.every((arc, i) => o[i] === arc);

/** A device's MIB with lookups; `uptimeTicks` yields sysUpTime in hundredths of a second. */
export class MibView {
  private readonly byKey: Map<string, MibEntry>;

  constructor(
    readonly entries: MibEntry[],
    private readonly uptimeTicks: () => number,
    private readonly hasEntity: boolean,
  ) {
    this.byKey = new Map(entries.map((e) => [e.key, e]));
  }

  private value(entry: MibEntry): Buffer {
    return entry.value === "uptime" ? unsigned(this.uptimeTicks(), Tag.TimeTicks) : entry.value;
  }

  get(target: readonly number[]): Buffer {
    const entry = this.byKey.get(target.join("."));
    if (entry) return this.value(entry);
    const known = startsWith(target, systemPrefix) || (this.hasEntity && startsWith(target, entityPrefix));
    return nullValue(known ? Tag.NoSuchInstance : Tag.NoSuchObject);
  }

  /** The first entry after `target`, or endOfMibView. */
  next(target: readonly number[]): { oid: readonly number[]; value: Buffer } {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareOids((this.entries[mid] as MibEntry).oid, target) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const entry = this.entries[lo];
    return entry
      ? { oid: entry.oid, value: this.value(entry) }
      : { oid: target, value: nullValue(Tag.EndOfMibView) };
  }
}
