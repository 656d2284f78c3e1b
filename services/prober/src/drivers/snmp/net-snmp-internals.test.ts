import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import snmp from "net-snmp";
import { describe, expect, it } from "vitest";
import { installKeyCache, localizedKey } from "./key-cache.js";

/*
 * The engine cache (engine-cache.ts) writes a Session's remote-engine fields and the key cache
 * (key-cache.ts) replaces `Authentication.passwordToKey`: neither is net-snmp's public API, and net-snmp
 * offers no public way to do either (no engine option on createV3Session, no key-derivation hook). So
 * net-snmp is pinned to an exact version, and this test names what we rely on: after an upgrade it
 * fails here, by name, instead of probes silently rediscovering engines or hashing a megabyte each.
 */

const require = createRequire(import.meta.url);
const RELIED_ON = "3.29.2";

describe("net-snmp internals the SNMP driver relies on", () => {
  it("is the exact version the prober pins (re-check this file before changing it)", () => {
    const pkg = JSON.parse(readFileSync(require.resolve("net-snmp/package.json"), "utf8")) as {
      version: string;
    };
    const prober = JSON.parse(readFileSync(new URL("../../../package.json", import.meta.url), "utf8")) as {
      dependencies: Record<string, string>;
    };
    expect(prober.dependencies["net-snmp"], "net-snmp must stay pinned to an exact version").toBe(RELIED_ON);
    expect(pkg.version, "installed net-snmp differs from the version these internals were checked on").toBe(
      RELIED_ON,
    );
  });

  it("keeps the remote engine notion in the Session fields engine-cache.ts seeds", () => {
    const session = snmp.createV3Session("127.0.0.1", {
      name: "internals-check",
      level: snmp.SecurityLevel.noAuthNoPriv,
    });
    try {
      const state = session as unknown as Record<string, unknown>;
      for (const field of [
        "engineTimeBoots",
        "engineTimeBase",
        "latestReceivedEngineTime",
        "engineTimeReceivedAt",
      ]) {
        expect(Object.hasOwn(state, field), `Session.${field} is gone`).toBe(true);
        expect(state[field], `Session.${field} no longer starts null`).toBeNull();
      }
      // Requests are built from session.msgSecurityParameters: seeding it is what skips discovery.
      const sendV3Req = String((snmp.Session.prototype as unknown as { sendV3Req: unknown }).sendV3Req);
      expect(sendV3Req, "sendV3Req no longer builds requests from this.msgSecurityParameters").toContain(
        "Message.createRequestV3 (this.user, this.msgSecurityParameters, pdu)",
      );
    } finally {
      session.close();
    }
  });

  it("derives every key through Authentication.passwordToKey, the hook key-cache.ts replaces", () => {
    installKeyCache();
    const auth = snmp.Authentication as unknown as {
      passwordToKey: typeof localizedKey;
      calculateDigest: (m: Buffer, p: number, pw: string, e: Buffer) => Buffer;
    };
    expect(auth.passwordToKey, "the key cache is not installed on Authentication.passwordToKey").toBe(
      localizedKey,
    );
    const calls: string[] = [];
    auth.passwordToKey = (protocol, password, engineId) => {
      calls.push(password);
      return localizedKey(protocol, password, engineId);
    };
    try {
      auth.calculateDigest(Buffer.alloc(64), snmp.AuthProtocols.sha, "maplesyrup", Buffer.alloc(12, 2));
      expect(calls, "calculateDigest no longer calls Authentication.passwordToKey").toEqual(["maplesyrup"]);
    } finally {
      auth.passwordToKey = localizedKey;
    }
  });
});
