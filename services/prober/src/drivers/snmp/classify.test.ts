import snmp from "net-snmp";
import { describe, expect, it } from "vitest";
import { classifySnmpError } from "./classify.js";
import { MalformedResponseError } from "./snmp-session.js";

const errno = (code: string) => Object.assign(new Error(`recvmsg ${code}`), { code });

describe("SNMP error classification", () => {
  it.each([
    [new snmp.RequestFailedError("GeneralError", snmp.ErrorStatus.GeneralError), "protocol_errors"],
    [new snmp.RequestFailedError("TooBig", snmp.ErrorStatus.TooBig), "protocol_errors"],
    [new snmp.RequestFailedError("NoAccess", snmp.ErrorStatus.NoAccess), "authentication_failures"],
    [
      new snmp.RequestFailedError("AuthorizationError", snmp.ErrorStatus.AuthorizationError),
      "authentication_failures",
    ],
    [
      new snmp.ResponseInvalidError(
        "Wrong Digest (incorrect password, community or key)",
        snmp.ResponseInvalidCode.EAuthFailure,
      ),
      "authentication_failures",
    ],
    [
      new snmp.ResponseInvalidError("Unsupported Security Level", snmp.ResponseInvalidCode.EAuthFailure),
      "authentication_failures",
    ],
    [
      new snmp.ResponseInvalidError("Failed to decrypt PDU", snmp.ResponseInvalidCode.ECouldNotDecrypt),
      "authentication_failures",
    ],
    [
      new snmp.ResponseInvalidError(
        "Requested OIDs do not match",
        snmp.ResponseInvalidCode.EReqResOidNoMatch,
      ),
      "protocol_errors",
    ],
    [Object.assign(new Error("Request timed out"), { name: "RequestTimedOutError" }), "connection_timeouts"],
    [errno("ECONNREFUSED"), "unreachable"],
    [errno("EHOSTUNREACH"), "unreachable"],
    [new MalformedResponseError({ cause: new RangeError("out of range") }), "protocol_errors"],
  ])("%s → %s", (err, code) => {
    expect(classifySnmpError(err).code).toBe(code);
  });

  it("keeps secrets and digests out of messages", () => {
    const err = new snmp.ResponseInvalidError(
      "Authentication digest 0011aabb received in message does not match digest ffee calculated for message",
      snmp.ResponseInvalidCode.EAuthFailure,
    );
    expect(classifySnmpError(err).message).not.toMatch(/0011aabb|ffee/);
  });
});
