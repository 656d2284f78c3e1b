import type { ObservedValues, SnmpCredentials } from "@headless-ops/contracts";
import snmp from "net-snmp";
import type { ProbeNeeds, ProbeOutcome } from "../driver.js";
import { classifySnmpError } from "./classify.js";
import { firmwareFromSysDescr } from "./firmware-parser.js";
import { installKeyCache } from "./key-cache.js";
import {
  chassisCandidates,
  entColumn,
  entOid,
  entPhysicalClassChassis,
  entPhysicalEntry,
  sysDescr,
  sysName,
  sysObjectId,
  sysUpTime,
  vendorFromSysObjectId,
} from "./oids.js";
import { DeadlineError, type SessionTiming, SnmpSession, type SnmpTarget } from "./snmp-session.js";

/*
 * One probe: a single GET for the system objects the operation needs plus the ENTITY-MIB chassis
 * candidates (index 1, then 1001 on stacks); only when neither is the chassis does it walk
 * entPhysicalClass (one GETBULK per 32 entries) and GET the chosen entry.
 */

type Values = Map<string, snmp.Varbind>;

const text = (vb: snmp.Varbind | undefined): string | undefined => {
  if (!vb || snmp.isVarbindError(vb) || vb.value === null || vb.value === undefined) return undefined;
  return Buffer.isBuffer(vb.value) ? vb.value.toString("utf8").trim() : String(vb.value).trim();
};
const exists = (vb: snmp.Varbind | undefined) => !!vb && !snmp.isVarbindError(vb);
const chassisColumns = (needs: ProbeNeeds) => [
  entColumn.serialNum,
  entColumn.modelName,
  entColumn.mfgName,
  ...(needs.firmware ? [entColumn.softwareRev] : []),
];

function firstRequest(needs: ProbeNeeds): string[] {
  const oids = [sysUpTime];
  if (needs.connectivity) oids.push(sysName);
  if (needs.firmware) oids.push(sysDescr);
  if (needs.serial || needs.firmware) {
    oids.push(sysObjectId);
    for (const index of chassisCandidates) {
      oids.push(entOid(entColumn.class, index), ...chassisColumns(needs).map((c) => entOid(c, index)));
    }
  }
  return oids;
}

/** Walks entPhysicalClass: the lowest chassis(3) index, else the lowest index; undefined when the table is empty. */
async function walkForChassis(session: SnmpSession): Promise<number | undefined> {
  const column = `${entPhysicalEntry}.${entColumn.class}.`;
  let cursor = column.slice(0, -1);
  const indexes: Array<{ index: number; cls: number }> = [];
  for (let round = 0; round < 16; round++) {
    // net-snmp groups a repeater's rows into one nested array.
    const varbinds = (await session.getBulk([cursor], 0, 32)).flat() as snmp.Varbind[];
    const inColumn = varbinds.filter((vb) => vb.oid.startsWith(column) && !snmp.isVarbindError(vb));
    for (const vb of inColumn)
      indexes.push({ index: Number(vb.oid.slice(column.length)), cls: Number(vb.value) });
    if (inColumn.length < varbinds.length || inColumn.length === 0) break;
    cursor = (inColumn[inColumn.length - 1] as snmp.Varbind).oid;
  }
  const chassis = indexes.filter((e) => e.cls === entPhysicalClassChassis).map((e) => e.index);
  const pool = chassis.length > 0 ? chassis : indexes.map((e) => e.index);
  return pool.length > 0 ? Math.min(...pool) : undefined;
}

async function chassisIndex(session: SnmpSession, values: Values): Promise<number | undefined> {
  const present = chassisCandidates.filter((i) => exists(values.get(entOid(entColumn.class, i))));
  const chassis = present.find(
    (i) => Number(values.get(entOid(entColumn.class, i))?.value) === entPhysicalClassChassis,
  );
  if (chassis !== undefined) return chassis;
  const noEntityMib = chassisCandidates.every(
    (i) => values.get(entOid(entColumn.class, i))?.type === snmp.ObjectType.NoSuchObject,
  );
  if (noEntityMib) return undefined;
  return walkForChassis(session);
}

async function readChassis(
  session: SnmpSession,
  values: Values,
  needs: ProbeNeeds,
  observed: ObservedValues,
): Promise<ProbeOutcome | null> {
  const index = await chassisIndex(session, values);
  if (index !== undefined && !chassisCandidates.includes(index as 1 | 1001)) {
    const extra = await session.get(chassisColumns(needs).map((c) => entOid(c, index)));
    for (const vb of extra) values.set(vb.oid, vb);
  }
  const field = (column: number) =>
    index === undefined ? undefined : text(values.get(entOid(column, index))) || undefined;
  const serial = field(entColumn.serialNum);
  if (needs.serial && !serial) {
    return {
      ok: false,
      code: "serial_missing",
      message:
        index === undefined
          ? "agent exposes no ENTITY-MIB chassis entry"
          : `chassis entry ${index} has no serial number`,
    };
  }
  if (needs.serial) observed.serial = serial;
  observed.model = field(entColumn.modelName) ?? null;
  observed.vendor = vendorFromSysObjectId(text(values.get(sysObjectId))) ?? field(entColumn.mfgName) ?? null;
  if (needs.firmware) {
    observed.firmware =
      field(entColumn.softwareRev) ?? firmwareFromSysDescr(observed.sys_descr ?? undefined) ?? null;
  }
  return null;
}

export type SnmpProbeInput = {
  target: SnmpTarget;
  credentials: SnmpCredentials;
  needs: ProbeNeeds;
  timing: SessionTiming;
  signal: AbortSignal;
};

export async function probeSnmp(input: SnmpProbeInput): Promise<ProbeOutcome> {
  const { needs } = input;
  installKeyCache();
  const session = new SnmpSession(input.target, input.credentials, input.timing, input.signal);
  try {
    const started = performance.now();
    const first = await session.get(firstRequest(needs));
    const rtt = performance.now() - started;
    const values: Values = new Map(first.map((vb) => [vb.oid, vb]));
    const observed: ObservedValues = {};
    if (needs.connectivity) {
      observed.reachable = true;
      observed.rtt_ms = Math.round(rtt * 100) / 100;
      observed.sys_name = text(values.get(sysName)) ?? null;
    }
    if (needs.firmware) observed.sys_descr = text(values.get(sysDescr))?.slice(0, 2048) ?? null;
    if (needs.serial || needs.firmware) {
      const failure = await readChassis(session, values, needs, observed);
      if (failure) return failure;
    }
    return { ok: true, observed };
  } catch (err) {
    if (err instanceof DeadlineError)
      return {
        ok: false,
        code: "connection_timeouts",
        message: "probe deadline passed before the device answered",
      };
    const { code, message } = classifySnmpError(err);
    return { ok: false, code, message };
  } finally {
    session.close();
  }
}
