import { terminalOperationStatuses } from "@headless-ops/contracts";
import { readOperationRunStates } from "@headless-ops/db";
import type pg from "pg";

type Entry = { skip: boolean; expires: number };

/**
 * Whether jobs of an operation should be skipped (cancel requested, operation ended or gone),
 * cached for a short TTL so a busy prober reads each operation about once per TTL.
 * A failed lookup falls back to the last known answer, else to "probe": skipping is an
 * optimisation, the aggregator and the final-status rule stay correct either way.
 */
export class OperationStatusCache {
  private readonly entries = new Map<string, Entry>();
  private readonly loading = new Map<string, Promise<boolean>>();

  constructor(
    private readonly pool: pg.Pool,
    private readonly ttlMs: number,
    private readonly onError: (err: unknown, operationId: string) => void,
  ) {}

  shouldSkip(operationId: string): Promise<boolean> | boolean {
    const now = Date.now();
    const hit = this.entries.get(operationId);
    if (hit && hit.expires > now) return hit.skip;
    const inflight = this.loading.get(operationId);
    if (inflight) return inflight;
    const load = readOperationRunStates(this.pool, [operationId])
      .then((states) => {
        const state = states.get(operationId);
        const skip =
          !state || state.cancelRequested || terminalOperationStatuses.includes(state.status as never);
        this.entries.set(operationId, { skip, expires: Date.now() + this.ttlMs });
        if (this.entries.size > 10_000) this.evict();
        return skip;
      })
      .catch((err) => {
        this.onError(err, operationId);
        return hit?.skip ?? false;
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
