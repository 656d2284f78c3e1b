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

const entityColumns = [2, 4, 5, 7, 10, 11, 12, 13] as const;

function systemValue(spec: DeviceSpec, n: number): Buffer | "uptime" | undefined {
  switch (n) {
    case 1:
      return octets(spec.sysDescr);
    case 2:
      return oid(parseOid(spec.sysObjectId));
    case 3:
      return "uptime";
    case 4:
      return octets("noc@example.net");
    case 5:
      return octets(spec.hostname);
    case 6:
      return octets(`Site ${spec.organizationId}`);
    case 7:
      return integer(spec.deviceType === "switch" ? 6 : 78);
    default:
      return undefined;
  }
}

function entityValue(e: Entity, column: number): Buffer | undefined {
  switch (column) {
    case 2:
      return octets(e.descr);
    case 4:
      return integer(e.containedIn);
    case 5:
      return integer(e.cls);
    case 7:
      return octets(e.name);
    case 10:
      return octets(e.softwareRev);
    case 11:
      return octets(e.serial);
    case 12:
      return octets(e.mfgName);
    case 13:
      return octets(e.model);
    default:
      return undefined;
  }
}

/** Every object of the device in OID order (for GETNEXT and GETBULK). */
export function buildMib(spec: DeviceSpec, ents: readonly Entity[] = entities(spec)): MibEntry[] {
  const entries: MibEntry[] = [1, 2, 3, 4, 5, 6, 7].map((n) => ({
    oid: sys(n),
    value: systemValue(spec, n) as Buffer | "uptime",
  }));
  for (const e of ents) {
    for (const column of entityColumns)
      entries.push({ oid: col(column, e.index), value: entityValue(e, column) as Buffer });
  }
  return entries.sort((a, b) => compareOids(a.oid, b.oid));
}

const systemPrefix = parseOid(system);
const entityPrefix = parseOid("1.3.6.1.2.1.47");
const startsWith = (o: readonly number[], prefix: readonly number[]) =>
  prefix.every((arc, i) => o[i] === arc);

/**
 * A device's MIB. GET computes the one value asked for (the common path: a probe is one GET);
 * the sorted list for GETNEXT/GETBULK is built on first use. `uptimeTicks` yields sysUpTime.
 */
export class MibView {
  private readonly ents: Entity[];
  private sorted: MibEntry[] | null = null;

  constructor(
    private readonly spec: DeviceSpec,
    private readonly uptimeTicks: () => number,
  ) {
    this.ents = entities(spec);
  }

  private get entries(): MibEntry[] {
    this.sorted ??= buildMib(this.spec, this.ents);
    return this.sorted;
  }

  private value(v: Buffer | "uptime"): Buffer {
    return v === "uptime" ? unsigned(this.uptimeTicks(), Tag.TimeTicks) : v;
  }

  private lookup(target: readonly number[]): Buffer | "uptime" | undefined {
    if (target.length === 9 && target[8] === 0 && startsWith(target, systemPrefix)) {
      return systemValue(this.spec, target[7] as number);
    }
    if (target.length === 13 && startsWith(target, entryPrefix)) {
      const entity = this.ents.find((e) => e.index === target[12]);
      return entity && entityValue(entity, target[11] as number);
    }
    return undefined;
  }

  get(target: readonly number[]): Buffer {
    const found = this.lookup(target);
    if (found !== undefined) return this.value(found);
    const known =
      startsWith(target, systemPrefix) || (this.ents.length > 0 && startsWith(target, entityPrefix));
    return nullValue(known ? Tag.NoSuchInstance : Tag.NoSuchObject);
  }

  /** The first entry after `target`, or endOfMibView. */
  next(target: readonly number[]): { oid: readonly number[]; value: Buffer } {
    const entries = this.entries;
    let lo = 0;
    let hi = entries.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (compareOids((entries[mid] as MibEntry).oid, target) <= 0) lo = mid + 1;
      else hi = mid;
    }
    const entry = entries[lo];
    return entry
      ? { oid: entry.oid, value: this.value(entry.value) }
      : { oid: target, value: nullValue(Tag.EndOfMibView) };
  }
}
