import type { Queryable } from "@headless-ops/db";
import {
  type AddressGuard,
  type Config,
  createAddressGuard,
  createCredentialSealer,
  resolveAndCheck,
} from "@headless-ops/runtime";
import type { Driver, ProbeOutcome, ProbeRequest } from "../driver.js";
import { CredentialStore } from "./credential-store.js";
import { probeSnmp } from "./snmp-probe.js";

/*
 * The `snmp` driver: loads the device's sealed credentials and its address by device id (jobs carry no
 * secret, and their address is not trusted), checks
 * the management address against the address guard again at probe time, and probes over SNMP v2c/v3.
 */

export type SnmpDriverDeps = {
  config: Pick<
    Config,
    | "CREDENTIAL_KEY"
    | "CREDENTIAL_KEYS"
    | "NODE_ENV"
    | "SNMP_REQUEST_TIMEOUT_MS"
    | "SNMP_RETRIES"
    | "ALLOWED_NETWORKS"
    | "DENIED_NETWORKS"
    | "ALLOW_LOOPBACK"
  >;
  /** A Postgres pool (pg.Pool from libs/db createDb) to read devices.credentials. */
  pool: Queryable;
  /** Defaults to the guard built from `config`. */
  guard?: AddressGuard;
};

const defaultSnmpPort = 161;

export class SnmpDriver implements Driver {
  readonly name = "snmp";
  private readonly store: CredentialStore;
  private readonly guard: AddressGuard;

  constructor(private readonly deps: SnmpDriverDeps) {
    const { CREDENTIAL_KEY, CREDENTIAL_KEYS, NODE_ENV } = deps.config;
    // Throws at startup without a usable key (or, in production, with a weak one). Holds every key.
    const sealer = createCredentialSealer(CREDENTIAL_KEY, CREDENTIAL_KEYS, {
      production: NODE_ENV === "production",
    });
    this.store = new CredentialStore({ pool: deps.pool, open: sealer.open });
    this.guard = deps.guard ?? createAddressGuard(deps.config);
  }

  async probe(request: ProbeRequest): Promise<ProbeOutcome> {
    const access = await this.store.get(request.device.device_id);
    if (!access.ok) {
      const message = {
        not_found: "device no longer exists",
        no_credentials: "no SNMP credentials stored for the device",
        invalid_credentials: "stored SNMP credentials are not valid",
        not_bound:
          "stored SNMP credentials do not belong to this device (sealed for another device, organization, address or port, or altered in the database): set them again",
      }[access.reason];
      return { ok: false, code: "authentication_failures", message };
    }
    // Credentials go only to the address and port stored with them in Postgres. The job message's
    // address and port are never used: whoever can publish a job (or forge one) cannot redirect the
    // community or the v3 HMAC to a host of their choice.
    const host = access.address;
    if (!host) return { ok: false, code: "unreachable", message: "device has no management address" };
    const verdict = await resolveAndCheck(this.guard, host);
    if (!verdict.allowed)
      return {
        ok: false,
        code: "unreachable",
        message: `address refused by the address guard: ${verdict.reason}`,
      };
    const retries = this.deps.config.SNMP_RETRIES;
    const timeoutMs = Math.max(
      10,
      Math.min(this.deps.config.SNMP_REQUEST_TIMEOUT_MS, Math.floor(request.timeoutMs / (retries + 1))),
    );
    return probeSnmp({
      target: { address: verdict.address, port: access.port ?? defaultSnmpPort },
      credentials: access.credentials,
      needs: request.needs,
      timing: { timeoutMs, retries },
      signal: request.signal,
    });
  }
}

/** Factory for the prober's composition root: `registry.register(createSnmpDriver({ config, pool: db.pool }))`. */
export function createSnmpDriver(deps: SnmpDriverDeps): SnmpDriver {
  return new SnmpDriver(deps);
}
