import { registerConsumerLag } from "@headless-ops/bus";
import { stopOnce, type Worker, type WorkerDeps } from "@headless-ops/worker";
import { createAggregatorMetrics, registerOperationsByStatus } from "./metrics.js";
import { RecentRate } from "./recent-rate.js";
import { type ResultConsumerOptions, startResultConsumer } from "./result-consumer.js";

/**
 * The aggregator worker: the durable result consumer folding results into the ledger.
 * `tuning` overrides options derived from the config (tests fold small batches quickly).
 */
export function buildAggregator(deps: WorkerDeps, tuning: Partial<ResultConsumerOptions> = {}): Worker {
  const { config, names, registry } = deps;
  registerConsumerLag(registry, deps.jsm, [
    { stream: names.streams.deviceResults, name: names.consumers.aggregator },
  ]);
  registerOperationsByStatus(registry, deps.db.pool);
  const options: ResultConsumerOptions = {
    js: deps.js,
    nc: deps.nc,
    names,
    natsPrefix: config.NATS_PREFIX,
    log: deps.log,
    pool: deps.db.pool,
    metrics: createAggregatorMetrics(registry),
    rates: new RecentRate(),
    batchMax: config.AGGREGATOR_BATCH_MAX,
    batchMs: config.AGGREGATOR_BATCH_MS,
    concurrentFolds: config.AGGREGATOR_FOLD_CONCURRENCY,
    lastSeenResolutionS: config.DEVICE_LAST_SEEN_RESOLUTION_S,
    ...tuning,
  };
  let consumer: { stop: () => Promise<void> } | undefined;
  return {
    start: async () => {
      consumer = await startResultConsumer(options);
    },
    stop: stopOnce(async () => {
      await consumer?.stop();
    }),
  };
}
