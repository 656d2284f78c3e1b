import { terminalOperationStatuses } from "@headless-ops/contracts";
import { readOperationRunStates } from "@headless-ops/db";
import type pg from "pg";

/** What a prober needs to know of an operation before probing its devices. */
export type RunPolicy = {
  skip: boolean;
  /** Effective devices per second across all probers (option, else organization default); null: unlimited. */
  maxDevicesPerSecond: number | null;
};

type Entry = RunPolicy & { expires: number };

const probeUnlimited: RunPolicy = { skip: false, maxDevicesPerSecond: null };

/**
 * Whether jobs of an operation should be skipped (cancel requested, operation ended or gone) and
 * its effective rate limit, cached for a short TTL so a busy prober reads each operation about once
 * per TTL (a changed organization default applies within it). A failed lookup falls back to the last
 * known answer, else to "probe, unlimited": skipping is an optimisation, the aggregator and the
 * final-status rule stay correct either way.
 */
export class OperationStatusCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<RunPolicy>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs: number,
    private readonly onError: (err: unknown, operationId: string) => void,
  ) {}

  policyOf(operationId: string): Promise<RunPolicy> | RunPolicy {
    const now = Date.now();
    const hit = this.entries.get(operationId);
    if (hit && hit.expires > now) return hit;
    const inflight = this.loading.get(operationId);
    if (inflight) return inflight;
    const load = readOperationRunStates(this.pool, [operationId])
      .then((states) => {
        const state = states.get(operationId);
        const skip =
          !state || state.cancelRequested || terminalOperationStatuses.includes(state.status as never);
        const policy = { skip, maxDevicesPerSecond: state?.maxDevicesPerSecond ?? null };
        this.entries.set(operationId, { ...policy, expires: Date.now() + this.ttlMs });
        if (this.entries.size > 10_000) this.evict();
        return policy;
      })
      .catch((err): RunPolicy => {
        this.onError(err, operationId);
        return hit ?? probeUnlimited;
      })
      .finally(() => this.loading.delete(operationId));
    this.loading.set(operationId, load);
    return load;
  }

  private evict(): void {
    const now = Date.now();
    for (const [id, entry] of this.entries) if (entry.expires <= now) this.entries.delete(id);
  }
}
