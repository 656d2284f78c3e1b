import type { ErrorCode } from "@headless-ops/contracts";
import type { DeviceSpec } from "./fleet-model.js";

export type ExpectedProbe =
  | { ok: true; serial: string; model: string; vendor: string; firmware: string }
  | { ok: false; code: ErrorCode }
  /** Flapping devices may answer or not, depending on when they are asked. */
  | { ok: "either" };

/** What a correct SNMP driver reports for a device of the fleet: the oracle of tests and benchmarks. */
export function expectedProbe(spec: DeviceSpec): ExpectedProbe {
  switch (spec.behaviour) {
    case "ok":
      return {
        ok: true,
        serial: spec.serial,
        model: spec.model,
        vendor: spec.vendor,
        firmware: spec.firmware,
      };
    case "silent":
      return { ok: false, code: "connection_timeouts" };
    case "unreachable":
      return { ok: false, code: "unreachable" };
    case "malformed":
      return { ok: false, code: "protocol_errors" };
    case "no_serial":
      return { ok: false, code: "serial_missing" };
    case "wrong_credentials":
      // A v2c agent ignores a wrong community; only v3 can say why it refuses.
      return {
        ok: false,
        code: spec.access.version === "v2c" ? "connection_timeouts" : "authentication_failures",
      };
    case "flapping":
      return { ok: "either" };
  }
}
