import {
  connectNats,
  jetstream,
  jetstreamManager,
  registerConsumerLag,
  setUpStreams,
} from "@headless-ops/bus";
import { natsNames } from "@headless-ops/contracts";
import { createDb } from "@headless-ops/db";
import {
  createLogger,
  createMetricsRegistry,
  exitOnFatal,
  Lifecycle,
  loadConfig,
  startOpsServer,
} from "@headless-ops/runtime";
import { createAggregatorMetrics, registerOperationsByStatus } from "./metrics.js";
import { RecentRate } from "./recent-rate.js";
import { startResultConsumer } from "./result-consumer.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger("aggregator", config);
  const lifecycle = new Lifecycle(log, config.SHUTDOWN_GRACE_MS);
  lifecycle.installSignalHandlers();

  const db = createDb({
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    applicationName: "aggregator",
    onError: (err) => log.warn({ err }, "database connection lost"),
  });
  lifecycle.onShutdown("database", () => db.close());
  const nc = await connectNats({ config, name: "aggregator", log });
  lifecycle.onShutdown("nats", () => nc.drain());
  const jsm = await jetstreamManager(nc);
  await setUpStreams(jsm, config, log);
  const js = jetstream(nc);
  const names = natsNames(config.NATS_PREFIX);

  const registry = createMetricsRegistry("aggregator");
  registerConsumerLag(registry, jsm, [
    { stream: names.streams.deviceResults, name: names.consumers.aggregator },
  ]);
  registerOperationsByStatus(registry, db.pool);
  const ops = await startOpsServer({
    host: config.HOST,
    port: config.METRICS_PORT,
    registry,
    checks: [
      { name: "postgres", check: () => db.pool.query("SELECT 1") },
      { name: "nats", check: () => nc.flush() },
    ],
  });
  lifecycle.onShutdown("ops server", () => ops.close());

  const consumer = await startResultConsumer({
    js,
    names,
    log,
    pool: db.pool,
    metrics: createAggregatorMetrics(registry),
    rates: new RecentRate(),
    batchMax: config.AGGREGATOR_BATCH_MAX,
    batchMs: config.AGGREGATOR_BATCH_MS,
    concurrentFolds: config.AGGREGATOR_FOLD_CONCURRENCY,
  });
  lifecycle.onShutdown("result consumer", () => consumer.stop());
  log.info({ metricsPort: ops.port }, "aggregator started");
}

main().catch((err) => exitOnFatal(createLogger("aggregator", loadConfig({})))(err));
