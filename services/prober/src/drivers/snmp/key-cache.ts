import { createHash } from "node:crypto";
import snmp from "net-snmp";

/*
 * SNMPv3 key localization (RFC 3414 A.2) hashes one megabyte per (password, engine id); net-snmp caches
 * the result per pair, so a fleet of 10,000 engines sharing one password costs 10,000 such hashes (and an
 * unbounded cache holding the passwords). The megabyte hash depends on the password only: this caches
 * it per (protocol, password) in a bounded map and localizes with one small hash per engine. Same keys,
 * same algorithm; installed once per process on net-snmp's `Authentication.passwordToKey` hook.
 * These are net-snmp internals (it has no public API for this): net-snmp is pinned to an exact
 * version and net-snmp-internals.test.ts fails by name if what is used here changes.
 */

const algorithms: Record<string, string> = {
  [snmp.AuthProtocols.md5]: "md5",
  [snmp.AuthProtocols.sha]: "sha1",
  [snmp.AuthProtocols.sha224]: "sha224",
  [snmp.AuthProtocols.sha256]: "sha256",
  [snmp.AuthProtocols.sha384]: "sha384",
  [snmp.AuthProtocols.sha512]: "sha512",
};

const maxEntries = 1_024;
const masterKeys = new Map<string, Buffer>();
let installed = false;

function masterKey(algorithm: string, password: string): Buffer {
  const cacheKey = `${algorithm}\u0000${password}`;
  const cached = masterKeys.get(cacheKey);
  if (cached) return cached;
  const key = createHash(algorithm)
    .update(Buffer.alloc(1024 * 1024, password))
    .digest();
  if (masterKeys.size >= maxEntries) masterKeys.delete(masterKeys.keys().next().value as string);
  masterKeys.set(cacheKey, key);
  return key;
}

export function localizedKey(authProtocol: number, password: string, engineId: Buffer): Buffer {
  const algorithm = algorithms[authProtocol];
  if (!algorithm) throw new Error(`unsupported SNMPv3 auth protocol ${authProtocol}`);
  const ku = masterKey(algorithm, password);
  return createHash(algorithm).update(ku).update(engineId).update(ku).digest();
}

export function installKeyCache(): void {
  if (installed) return;
  installed = true;
  (snmp.Authentication as unknown as { passwordToKey: typeof localizedKey }).passwordToKey = localizedKey;
}
