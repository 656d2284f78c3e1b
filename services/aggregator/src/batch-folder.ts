import { type JsMsg, type NatsConnection, redeliveryDelay } from "@headless-ops/bus";
import type { DeviceResultBatch, NatsNames } from "@headless-ops/contracts";
import {
  type FoldOutcome,
  type FoldRow,
  FrozenBaselineCache,
  foldResults,
  PG_DATA_EXCEPTION_CLASS,
  PG_DEADLOCK_DETECTED,
  PG_SERIALIZATION_FAILURE,
  pgErrorCode,
  withTransaction,
} from "@headless-ops/db";
import { type Logger, toError } from "@headless-ops/runtime";
import type pg from "pg";
import type { AggregatorMetrics } from "./metrics.js";
import { publishProgress } from "./progress-publisher.js";
import type { RecentRate } from "./recent-rate.js";

export type Received = { msg: JsMsg; batch: DeviceResultBatch };

export type FolderDeps = {
  pool: pg.Pool;
  log: Logger;
  metrics: AggregatorMetrics;
  rates: RecentRate;
  nakDelayMs?: number;
  /** NATS_PREFIX: the milestone and finished outbox rows a fold writes carry its subjects. */
  natsPrefix: string;
  names: NatsNames;
  /** Progress events go out on core NATS after each commit; undefined publishes none (tests). */
  nc?: NatsConnection | undefined;
  /** DEVICE_LAST_SEEN_RESOLUTION_S (see foldResults); 0 when not given. */
  lastSeenResolutionS?: number;
};

/** One frozen-baseline cache per database (a pool), shared by the folds of every replica's batches. */
const frozenByPool = new WeakMap<pg.Pool, FrozenBaselineCache>();
function frozenCacheOf(pool: pg.Pool): FrozenBaselineCache {
  let cache = frozenByPool.get(pool);
  if (!cache) {
    cache = new FrozenBaselineCache();
    frozenByPool.set(pool, cache);
  }
  return cache;
}

const retryableSqlStates = new Set([PG_DEADLOCK_DETECTED, PG_SERIALIZATION_FAILURE]);

/** Flattens result batches into ledger rows; the first result for a device in a fold wins. */
export function toFoldRows(received: readonly Received[]): FoldRow[] {
  const seen = new Set<string>();
  const rows: FoldRow[] = [];
  for (const { batch } of received) {
    for (const r of batch.results) {
      const key = `${batch.operation_id}:${r.device_id}`;
      if (seen.has(key)) continue;
      seen.add(key);
      rows.push({
        operationId: batch.operation_id,
        deviceId: r.device_id,
        outcome: r.outcome,
        errorCode: r.error_code ?? null,
        errorMessage: r.error_message ?? null,
        observed: r.observed ? JSON.stringify(r.observed) : null,
        attempts: r.attempts,
        startedAt: Date.parse(r.started_at),
        finishedAt: Date.parse(r.finished_at),
      });
    }
  }
  // One lock order for every writer of the ledger (folds, timeouts): (operation, device).
  rows.sort((a, b) =>
    a.operationId === b.operationId
      ? compareIds(a.deviceId, b.deviceId)
      : compareIds(a.operationId, b.operationId),
  );
  return rows;
}

function compareIds(a: string, b: string): number {
  return a.length - b.length || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * A fold that failed for good. Postgres rejecting the data itself (SQLSTATE class 22, e.g. an id out
 * of bigint range) would fail every retry: the batch is split until the bad message is alone, and
 * that one is terminated and logged, so it cannot hold valid results hostage. Anything else (the
 * database unreachable) is handed back with a growing delay.
 */
async function handBack(
  deps: FolderDeps,
  received: readonly Received[],
  results: number,
  err: unknown,
  code: string | undefined,
): Promise<FoldOutcome | undefined> {
  if (code?.startsWith(PG_DATA_EXCEPTION_CLASS)) {
    if (received.length > 1) {
      const half = Math.ceil(received.length / 2);
      await foldBatch(deps, received.slice(0, half));
      await foldBatch(deps, received.slice(half));
      return undefined;
    }
    const [bad] = received;
    if (bad) {
      deps.log.error(
        { err: toError(err), seq: bad.msg.seq, operationId: bad.batch.operation_id },
        "result batch rejected by the database, terminated",
      );
      bad.msg.term();
      deps.metrics.messages.inc({ result: "term" });
    }
    return undefined;
  }
  for (const { msg } of received) msg.nak(redeliveryDelay(msg, deps.nakDelayMs ?? 1_000));
  deps.metrics.messages.inc({ result: "nak" }, received.length);
  deps.log.error(
    { err: toError(err), messages: received.length, results },
    "fold failed, results handed back",
  );
  return undefined;
}

/**
 * Folds the results of several messages in ONE transaction, then acks them all. Deadlocks and
 * serialization failures are retried; any other failure naks the messages for redelivery
 * (safe: a fold that did not commit changed nothing, one that did is idempotent).
 */
export async function foldBatch(
  deps: FolderDeps,
  received: readonly Received[],
): Promise<FoldOutcome | undefined> {
  const rows = toFoldRows(received);
  const operationIds = new Set(rows.map((r) => r.operationId));
  const started = performance.now();
  let outcome: FoldOutcome | undefined;
  for (let attempt = 1; !outcome; attempt++) {
    try {
      outcome = await withTransaction(deps.pool, (client) =>
        foldResults(client, deps.natsPrefix, rows, deps.rates.ratesFor(operationIds), {
          lastSeenResolutionS: deps.lastSeenResolutionS ?? 0,
          frozen: frozenCacheOf(deps.pool),
        }),
      );
    } catch (err) {
      const code = pgErrorCode(err);
      if (code && retryableSqlStates.has(code) && attempt < 5) continue;
      return handBack(deps, received, rows.length, err, code);
    }
  }
  for (const { msg } of received) msg.ack();
  const seconds = (performance.now() - started) / 1000;
  deps.metrics.messages.inc({ result: "acked" }, received.length);
  deps.metrics.resultsReceived.inc(rows.length);
  deps.metrics.resultsFolded.inc(outcome.moved);
  deps.metrics.batchSize.observe(rows.length);
  deps.metrics.foldSeconds.observe(seconds);
  for (const [id, moved] of outcome.movedByOperation) deps.rates.record(id, moved);
  const rates = deps.rates.ratesFor(outcome.movedByOperation.keys());
  publishProgress(deps.nc, deps.names, outcome.progress, (id) => rates.get(id));
  for (const f of outcome.finished) {
    deps.rates.forget(f.id);
    deps.metrics.operationsFinished.inc({ status: f.status });
    deps.log.info({ operationId: f.id, status: f.status }, "operation finished");
  }
  deps.log.debug({ results: rows.length, moved: outcome.moved, seconds }, "batch folded");
  return outcome;
}
