import type { SnmpCredentials } from "@headless-ops/contracts";
import type { SnmpAccess } from "./fleet-model.js";

/** A device's SNMP access in the shape the inventory stores (contracts' SnmpCredentials). */
export function credentialsOf(access: SnmpAccess): SnmpCredentials {
  if (access.version === "v2c") return { version: "v2c", community: access.community };
  return {
    version: "v3",
    user: access.user,
    security_level: access.level,
    ...(access.authProtocol && access.authKey
      ? { auth_protocol: access.authProtocol, auth_key: access.authKey }
      : {}),
    ...(access.privProtocol && access.privKey
      ? { priv_protocol: access.privProtocol, priv_key: access.privKey }
      : {}),
  };
}
