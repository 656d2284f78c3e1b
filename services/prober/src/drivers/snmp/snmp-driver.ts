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
 * The `snmp` driver: loads the device's sealed credentials by device id (jobs carry no secret), checks
 * the management address against the address guard again at probe time, and probes over SNMP v2c/v3.
 */

export type SnmpDriverDeps = {
  config: Pick<
    Config,
    | "CREDENTIAL_KEY"
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
    const sealer = createCredentialSealer(deps.config.CREDENTIAL_KEY); // throws at startup without a key
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
      }[access.reason];
      return { ok: false, code: "authentication_failures", message };
    }
    const host = access.address ?? request.device.address;
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
      target: { address: verdict.address, port: access.port ?? request.device.port ?? defaultSnmpPort },
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
