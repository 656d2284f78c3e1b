import snmp from "net-snmp";
import { describe, expect, it } from "vitest";
import { localizedKey } from "./key-cache.js";

describe("SNMPv3 key localization cache", () => {
  it("derives the same keys as net-snmp, for every auth protocol", () => {
    const engineId = Buffer.from("80001f8805000000070000002a", "hex");
    const protocols = [
      snmp.AuthProtocols.md5,
      snmp.AuthProtocols.sha,
      snmp.AuthProtocols.sha256,
      snmp.AuthProtocols.sha512,
    ] as const;
    for (const protocol of protocols) {
      expect(localizedKey(protocol, "maplesyrup", engineId)).toEqual(
        snmp.Authentication.passwordToKey(protocol, "maplesyrup", engineId),
      );
    }
  });

  it("matches the RFC 3414 A.3.2 test vector (SHA-1, password maplesyrup)", () => {
    const engineId = Buffer.from("000000000000000000000002", "hex");
    expect(localizedKey(snmp.AuthProtocols.sha, "maplesyrup", engineId).toString("hex")).toBe(
      "6695febc9288e36282235fc7151f128497b38f3f",
    );
  });
});
