import { pruneExpiredLedger } from "@headless-ops/db";
import { type Logger, toError } from "@headless-ops/runtime";
import type pg from "pg";

export type LedgerRetentionOptions = {
  pool: pg.Pool;
  log: Logger;
  /** OPERATION_RETENTION_DAYS; 0 disables the sweep. */
  retentionDays: number;
  /** Time between sweeps: retention is measured in days, so a sweep every few minutes is plenty. */
  intervalMs?: number;
  /** Rows per delete statement: small enough that each transaction locks briefly. */
  batchSize?: number;
  /** Batches per sweep, so a large backlog is worked off over several sweeps, not in one burst. */
  maxBatches?: number;
};

/**
 * The scheduler's retention loop: every `intervalMs`, deletes the ledger rows of operations that
 * finished more than `retentionDays` ago, in bounded batches (libs/db pruneExpiredLedger). Replicas
 * may sweep at the same time: the delete skips rows another replica has locked.
 */
export function startLedgerRetention(o: LedgerRetentionOptions): { stop: () => Promise<void> } {
  if (o.retentionDays <= 0) return { stop: async () => undefined };
  let running: Promise<void> | undefined;
  const sweep = async () => {
    try {
      const out = await pruneExpiredLedger(o.pool, {
        retentionDays: o.retentionDays,
        batchSize: o.batchSize ?? 5_000,
        maxBatches: o.maxBatches ?? 200,
      });
      if (out.deleted > 0) o.log.info(out, "expired ledger rows deleted");
    } catch (err) {
      o.log.warn({ err: toError(err) }, "ledger retention sweep failed; retried on the next one");
    }
  };
  const tick = () => {
    running ??= sweep().finally(() => {
      running = undefined;
    });
  };
  const timer = setInterval(tick, o.intervalMs ?? 600_000);
  timer.unref();
  tick();
  return {
    stop: async () => {
      clearInterval(timer);
      await running;
    },
  };
}
