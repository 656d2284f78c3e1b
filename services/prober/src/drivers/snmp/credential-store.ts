import { SnmpCredentials } from "@headless-ops/contracts";
import type { Queryable } from "@headless-ops/db";
import { type CredentialBinding, CredentialSealError } from "@headless-ops/runtime";

/*
 * Loads the management address and sealed credentials of the devices being probed, just in time, with
 * one query per burst of probes (ids requested in the same tick are fetched together), and opens them in
 * memory. Nothing is cached: a credential change applies to the next probe.
 */

export type DeviceAccess =
  | { ok: true; address: string | null; port: number | null; credentials: SnmpCredentials }
  | { ok: false; reason: "not_found" | "no_credentials" | "invalid_credentials" | "not_bound" };

export type CredentialStoreOptions = {
  pool: Queryable;
  /** Opens a sealed credential blob for its device (libs/runtime createCredentialSealer(...).open). */
  open: (sealed: Buffer, binding: CredentialBinding) => unknown;
  maxBatch?: number;
};

type Waiter = { resolve: (access: DeviceAccess) => void; reject: (err: unknown) => void };

export class CredentialStore {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;
  private readonly maxBatch: number;

  constructor(private readonly options: CredentialStoreOptions) {
    this.maxBatch = options.maxBatch ?? 1_000;
  }

  get(deviceId: string): Promise<DeviceAccess> {
    return new Promise((resolve, reject) => {
      const waiters = this.pending.get(deviceId);
      if (waiters) waiters.push({ resolve, reject });
      else this.pending.set(deviceId, [{ resolve, reject }]);
      if (this.pending.size >= this.maxBatch) this.flush();
      else if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    this.scheduled = false;
    if (this.pending.size === 0) return;
    const batch = this.pending;
    this.pending = new Map();
    void this.load(batch);
  }

  private async load(batch: Map<string, Waiter[]>): Promise<void> {
    try {
      const { rows } = await this.options.pool.query<Record<string, unknown>>(
        `SELECT id::text AS id, organization_id::text AS organization_id, mgmt_address, mgmt_port, credentials
           FROM devices WHERE id = ANY($1::bigint[])`,
        [[...batch.keys()]],
      );
      const byId = new Map(rows.map((row) => [String(row.id), row]));
      for (const [id, waiters] of batch) {
        // One row that cannot be opened (a key this prober lacks) fails its own probes only.
        let access: DeviceAccess;
        try {
          access = this.toAccess(byId.get(id));
        } catch (err) {
          for (const w of waiters) w.reject(err);
          continue;
        }
        for (const w of waiters) w.resolve(access);
      }
    } catch (err) {
      for (const waiters of batch.values()) for (const w of waiters) w.reject(err);
    }
  }

  private toAccess(row: Record<string, unknown> | undefined): DeviceAccess {
    if (!row) return { ok: false, reason: "not_found" };
    if (!Buffer.isBuffer(row.credentials)) return { ok: false, reason: "no_credentials" };
    const address = typeof row.mgmt_address === "string" ? row.mgmt_address : null;
    const port = typeof row.mgmt_port === "number" ? row.mgmt_port : null;
    const binding = { deviceId: String(row.id), organizationId: String(row.organization_id), address, port };
    let opened: unknown;
    try {
      opened = this.options.open(row.credentials, binding);
    } catch (err) {
      // Sealed for another row (copied in the database) or altered: the device's problem, reported
      // as such. A key id this prober does not hold is an operator error: it throws (internal_errors).
      if (err instanceof CredentialSealError && err.reason === "not_bound")
        return { ok: false, reason: "not_bound" };
      throw err;
    }
    const parsed = SnmpCredentials.safeParse(opened);
    if (!parsed.success) return { ok: false, reason: "invalid_credentials" };
    return { ok: true, address, port, credentials: parsed.data };
  }
}
