import type snmp from "net-snmp";

/*
 * SNMPv3 engine discovery costs a round trip per session. Each probe opens a new session, so the
 * authoritative engine (id, boots, time) learned from a device is remembered per target and seeded into
 * the next session. A stale entry (engine rebooted or replaced) only makes the agent answer with a
 * report, on which net-snmp re-synchronises and resends: the same cost as a discovery.
 * These are net-snmp internals (it has no public API for this): net-snmp is pinned to an exact
 * version and net-snmp-internals.test.ts fails by name if what is used here changes.
 */

type Engine = { engineId: Buffer; boots: number; time: number; at: number };

/** The net-snmp Session fields that hold the remote engine notion (RFC 3414 §2.3); not in its typings. */
type SessionEngineState = {
  msgSecurityParameters?: {
    msgAuthoritativeEngineID: Buffer;
    msgAuthoritativeEngineBoots: number;
    msgAuthoritativeEngineTime: number;
  };
  engineTimeBoots: number | null;
  engineTimeBase: number | null;
  latestReceivedEngineTime: number | null;
  engineTimeReceivedAt: number | null;
};

const maxEntries = 100_000;
const engines = new Map<string, Engine>();

export function seedEngine(session: snmp.Session, target: string): void {
  const engine = engines.get(target);
  if (!engine) return;
  const state = session as unknown as SessionEngineState;
  const elapsed = Math.floor((performance.now() - engine.at) / 1000);
  state.msgSecurityParameters = {
    msgAuthoritativeEngineID: engine.engineId,
    msgAuthoritativeEngineBoots: engine.boots,
    msgAuthoritativeEngineTime: engine.time + elapsed,
  };
  state.engineTimeBoots = engine.boots;
  state.engineTimeBase = engine.time;
  state.latestReceivedEngineTime = engine.time;
  state.engineTimeReceivedAt = engine.at;
}

/** Call after a successful exchange: remembers what the session learned. */
export function rememberEngine(session: snmp.Session, target: string): void {
  const state = session as unknown as SessionEngineState;
  const params = state.msgSecurityParameters;
  if (!params || params.msgAuthoritativeEngineID.length === 0) return;
  const synced = state.engineTimeBoots !== null && state.engineTimeReceivedAt !== null;
  engines.delete(target);
  if (engines.size >= maxEntries) engines.delete(engines.keys().next().value as string);
  engines.set(target, {
    engineId: params.msgAuthoritativeEngineID,
    boots: synced ? (state.engineTimeBoots as number) : params.msgAuthoritativeEngineBoots,
    time: synced ? (state.engineTimeBase as number) : params.msgAuthoritativeEngineTime,
    at: synced ? (state.engineTimeReceivedAt as number) : performance.now(),
  });
}

/** Forgets a target (its credentials failed, or it answered garbage). */
export function forgetEngine(target: string): void {
  engines.delete(target);
}
