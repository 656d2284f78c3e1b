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
import { listenOperationCreated } from "./created-listener.js";
import { createSchedulerMetrics } from "./metrics.js";
import { Scheduler } from "./scheduler.js";
import { timeoutEnforcer } from "./timeouts.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger("scheduler", config);
  const lifecycle = new Lifecycle(log, config.SHUTDOWN_GRACE_MS);
  lifecycle.installSignalHandlers();

  const db = createDb({
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    applicationName: "scheduler",
    onError: (err) => log.warn({ err }, "database connection lost"),
  });
  lifecycle.onShutdown("database", () => db.close());
  const nc = await connectNats({ config, name: "scheduler", log });
  lifecycle.onShutdown("nats", () => nc.drain());
  const jsm = await jetstreamManager(nc);
  await setUpStreams(jsm, config, log);
  const js = jetstream(nc);
  const names = natsNames(config.NATS_PREFIX);

  const registry = createMetricsRegistry("scheduler");
  registerConsumerLag(registry, jsm, [{ stream: names.streams.operations, name: names.consumers.scheduler }]);
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

  const scheduler = new Scheduler({
    pool: db.pool,
    js,
    names,
    log,
    metrics: createSchedulerMetrics(registry),
    sweepMs: config.SCHEDULER_SWEEP_MS,
    batchSize: config.FANOUT_BATCH_SIZE,
    pageSize: config.FANOUT_PAGE_SIZE,
    fanoutConcurrency: config.SCHEDULER_FANOUT_CONCURRENCY,
    enforceTimeouts: timeoutEnforcer(log),
  });
  lifecycle.onShutdown("scheduler", () => scheduler.stop());
  const listener = await listenOperationCreated({ js, names, log, onCreated: () => scheduler.wake() });
  lifecycle.onShutdown("operation.created consumer", () => listener.stop());
  scheduler.start();
  log.info({ metricsPort: ops.port }, "scheduler started");
}

main().catch((err) => exitOnFatal(createLogger("scheduler", loadConfig({})))(err));
