import { enforceOperationTimeouts, withTransaction } from "@headless-ops/db";
import type { Logger } from "@headless-ops/runtime";
import type pg from "pg";

/**
 * The sweep's call into the shared status helper (libs/db/src/status): past `deadline_at`,
 * non-terminal devices fail with `operation_timeouts` and the operation ends.
 */
export function timeoutEnforcer(log: Logger, natsPrefix: string): (pool: pg.Pool) => Promise<unknown> {
  return async (pool) => {
    const outcome = await withTransaction(pool, (client) => enforceOperationTimeouts(client, natsPrefix));
    for (const [operationId, devices] of outcome.timedOut) {
      log.warn({ operationId, devices }, "operation timed out; unfinished devices failed");
    }
    return outcome;
  };
}
