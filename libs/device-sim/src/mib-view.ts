import { compareOids, integer, nullValue, octets, oid, parseOid, Tag, unsigned } from "./ber.js";
import type { DeviceSpec } from "./fleet-model.js";

/*
 * What one virtual device exposes: the system group and the ENTITY-MIB entPhysicalTable, as a sorted
 * list of encoded varbinds for GET, GETNEXT and GETBULK. Built on first use and rebuilt when a serial
 * changes; sysUpTime is computed per request.
 */

const system = "1.3.6.1.2.1.1";
const entPhysicalEntry = "1.3.6.1.2.1.47.1.1.1.1";
const entryPrefix = parseOid(entPhysicalEntry);
const col = (column: number, index: number) => [...entryPrefix, column, index];
const sysOids = [1, 2, 3, 4, 5, 6, 7].map((n) => parseOid(`${system}.${n}.0`));
const sys = (n: number) => sysOids[n - 1] as number[];

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

export type MibEntry = { oid: number[]; value: Buffer | "uptime" };

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
  const entries: MibEntry[] = [
    { oid: sys(1), value: octets(spec.sysDescr) },
    { oid: sys(2), value: oid(parseOid(spec.sysObjectId)) },
    { oid: sys(3), value: "uptime" },
    { oid: sys(4), value: octets("noc@example.net") },
    { oid: sys(5), value: octets(spec.hostname) },
    { oid: sys(6), value: octets(`Site ${spec.organizationId}`) },
    { oid: sys(7), value: integer(spec.deviceType === "switch" ? 6 : 78) },
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
  return entries.sort((a, b) => compareOids(a.oid, b.oid));
}

const systemPrefix = parseOid(system);
const entityPrefix = parseOid("1.3.6.1.2.1.47");
const startsWith = (o: readonly number[], prefix: readonly number[]) =>
  prefix.every((arc, i) => o[i] === arc);

/** A device's MIB with lookups; `uptimeTicks` yields sysUpTime in hundredths of a second. */
export class MibView {
  constructor(
    readonly entries: MibEntry[],
    private readonly uptimeTicks: () => number,
    private readonly hasEntity: boolean,
  ) {}

  private value(entry: MibEntry): Buffer {
    return entry.value === "uptime" ? unsigned(this.uptimeTicks(), Tag.TimeTicks) : entry.value;
  }

  /** Index of the first entry whose OID is greater than (or, with `inclusive`, equal to) `target`. */
  private bound(target: readonly number[], inclusive: boolean): number {
    let lo = 0;
    let hi = this.entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      const c = compareOids((this.entries[mid] as MibEntry).oid, target);
      if (c < 0 || (c === 0 && !inclusive)) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  get(target: readonly number[]): Buffer {
    const entry = this.entries[this.bound(target, true)];
    if (entry && compareOids(entry.oid, target) === 0) return this.value(entry);
    const known = startsWith(target, systemPrefix) || (this.hasEntity && startsWith(target, entityPrefix));
    return nullValue(known ? Tag.NoSuchInstance : Tag.NoSuchObject);
  }

  /** The first entry after `target`, or endOfMibView. */
  next(target: readonly number[]): { oid: readonly number[]; value: Buffer } {
    const entry = this.entries[this.bound(target, false)];
    return entry
      ? { oid: entry.oid, value: this.value(entry) }
      : { oid: target, value: nullValue(Tag.EndOfMibView) };
  }
}
