import {
  enforceOperationTimeouts,
  recountOperations,
  requeueStuckOperations,
  withTransaction,
} from "@headless-ops/db";
import type pg from "pg";

/** What `update_status=true` runs before answering; injectable so a failure can be exercised. */
export type StatusHelpers = (pool: pg.Pool, operationIds: readonly string[]) => Promise<void>;

/**
 * The status helpers, in one transaction: fail devices of operations past `timeout_minutes`,
 * requeue work stuck for `stuckAfterMs`, then recount counters, error summary, progress and ETA
 * from the ledger (finalizing operations whose devices are all terminal).
 */
export function createStatusHelpers(opts: { stuckAfterMs: number; natsPrefix: string }): StatusHelpers {
  return async (pool, operationIds) => {
    if (operationIds.length === 0) return;
    await withTransaction(pool, async (client) => {
      await enforceOperationTimeouts(client, opts.natsPrefix, operationIds);
      await requeueStuckOperations(client, {
        operationIds,
        stuckAfterMs: opts.stuckAfterMs,
        natsPrefix: opts.natsPrefix,
      });
      await recountOperations(client, opts.natsPrefix, operationIds);
    });
  };
}
