import type { ErrorCode } from "@headless-ops/contracts";
import snmp from "net-snmp";

/*
 * Every SNMP failure becomes one `error_summary` code. Messages are fixed phrases plus protocol facts
 * (status names, OIDs, usmStats names): never a community, user key or digest.
 */

export type Classified = { code: ErrorCode; message: string };

const unreachableErrnos = new Set([
  "ECONNREFUSED",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "EHOSTDOWN",
  "EADDRNOTAVAIL",
]);

/** Response-PDU error statuses that mean "your credentials may not read this". */
const accessDenied = new Set<number>([snmp.ErrorStatus.NoAccess, snmp.ErrorStatus.AuthorizationError]);

const usmReason =
  /^(Unsupported Security Level|Not In Time Window|Unknown User Name|Unknown Engine ID|Wrong Digest|Decryption Error)/;

export function classifySnmpError(err: unknown): Classified {
  if (err instanceof Error && err.name === "RequestTimedOutError") {
    return { code: "connection_timeouts", message: "no SNMP response before the request timeout" };
  }
  if (err instanceof snmp.ResponseInvalidError) {
    const code = (err as { code?: number }).code;
    if (
      code === snmp.ResponseInvalidCode.EAuthFailure ||
      code === snmp.ResponseInvalidCode.ECouldNotDecrypt
    ) {
      const reason = usmReason.exec(err.message)?.[1] ?? "response failed authentication";
      return { code: "authentication_failures", message: `SNMPv3 authentication failed: ${reason}` };
    }
    if (code === (snmp.ResponseInvalidCode as unknown as Record<string, number>).ENotInTimeWindow) {
      return { code: "authentication_failures", message: "SNMPv3 message outside the time window" };
    }
    return {
      code: "protocol_errors",
      message: `invalid SNMP response (${snmp.ResponseInvalidCode[code ?? 0] ?? "unknown"})`,
    };
  }
  if (err instanceof snmp.RequestFailedError) {
    const status = (err as { status?: number }).status ?? snmp.ErrorStatus.GeneralError;
    const name = snmp.ErrorStatus[status] ?? "GeneralError";
    if (accessDenied.has(status)) {
      return { code: "authentication_failures", message: `agent denied access (${name})` };
    }
    return { code: "protocol_errors", message: `agent returned error status ${name}` };
  }
  const errno = (err as NodeJS.ErrnoException | undefined)?.code;
  if (errno && unreachableErrnos.has(errno)) {
    return { code: "unreachable", message: `device unreachable (${errno})` };
  }
  if (err instanceof Error && err.name === "MalformedResponseError") {
    return { code: "protocol_errors", message: "malformed SNMP response" };
  }
  return {
    code: "protocol_errors",
    message: `unexpected SNMP failure (${err instanceof Error ? err.name : typeof err})`,
  };
}
