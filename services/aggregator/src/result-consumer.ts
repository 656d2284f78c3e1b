import { decodeOrTerm, type JetStreamClient } from "@headless-ops/bus";
import { contracts, type NatsNames } from "@headless-ops/contracts";
import type { Logger } from "@headless-ops/runtime";
import { type FolderDeps, foldBatch, type Received } from "./batch-folder.js";
import { foldTraced } from "./fold-tracing.js";

export type ResultConsumerOptions = FolderDeps & {
  js: JetStreamClient;
  names: NatsNames;
  log: Logger;
  /** Fold when this many results are buffered (AGGREGATOR_BATCH_MAX) … */
  batchMax: number;
  /** … or when the oldest buffered result has waited this long (AGGREGATOR_BATCH_MS). */
  batchMs: number;
  /** Fold transactions in flight at once (they touch disjoint ledger rows; Postgres runs them in parallel). */
  concurrentFolds?: number;
  /** Bytes of result messages pulled ahead. */
  prefetchBytes?: number;
};

/**
 * The durable `aggregator` consumer: buffers decoded result batches and folds them, each fold one
 * transaction, a bounded number at once, while the next batch keeps filling. Invalid messages are terminated.
 */
export async function startResultConsumer(o: ResultConsumerOptions): Promise<{ stop: () => Promise<void> }> {
  const consumer = await o.js.consumers.get(o.names.streams.deviceResults, o.names.consumers.aggregator);
  // Bounded in bytes, not messages: a result message carries 1 to FANOUT_BATCH_SIZE results, and
  // what is pulled ahead is parsed and held in memory until its fold commits.
  const messages = await consumer.consume({ max_bytes: o.prefetchBytes ?? 8 * 1024 * 1024 });
  const maxFolds = o.concurrentFolds ?? 2;
  const folds = new Set<Promise<unknown>>();
  let buffer: Received[] = [];
  let buffered = 0;
  let oldest = 0;
  let timer: NodeJS.Timeout | undefined;

  // Starts a fold of up to batchMax buffered results when a fold slot is free.
  const flush = (): void => {
    clearTimeout(timer);
    timer = undefined;
    if (folds.size >= maxFolds || buffer.length === 0) return;
    let take = 0;
    let results = 0;
    while (
      take < buffer.length &&
      (take === 0 || results + (buffer[take]?.batch.results.length ?? 0) <= o.batchMax)
    ) {
      results += buffer[take]?.batch.results.length ?? 0;
      take++;
    }
    const batch = buffer.slice(0, take);
    buffer = buffer.slice(take);
    buffered -= results;
    oldest = Date.now();
    const fold: Promise<unknown> = foldTraced(batch, () => foldBatch(o, batch)).finally(() => {
      folds.delete(fold);
      if (buffered >= o.batchMax) flush();
      else if (buffer.length > 0) arm();
    });
    folds.add(fold);
  };
  const arm = (): void => {
    if (timer) return;
    timer = setTimeout(flush, Math.max(0, oldest + o.batchMs - Date.now()));
  };

  const loop = (async () => {
    for await (const msg of messages) {
      const batch = decodeOrTerm(msg, contracts.deviceResults.schema, o.log, "result");
      if (!batch) {
        o.metrics.messages.inc({ result: "term" });
        continue;
      }
      if (buffer.length === 0) oldest = Date.now();
      buffer.push({ msg, batch });
      buffered += batch.results.length;
      if (buffered >= o.batchMax) {
        // Backpressure: at most `maxFolds` folds running and one batch waiting.
        while (folds.size >= maxFolds) await Promise.race(folds);
        flush();
      } else arm();
    }
  })();

  return {
    stop: async () => {
      await messages.close();
      await loop.catch(() => undefined);
      // Fold what was received so its messages are acked, not redelivered after the ack wait.
      clearTimeout(timer);
      while (folds.size > 0 || buffer.length > 0) {
        if (folds.size >= maxFolds || buffer.length === 0) await Promise.race(folds);
        else flush();
      }
    },
  };
}
