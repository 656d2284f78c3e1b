import {
  connectNats,
  jetstream,
  jetstreamManager,
  registerConsumerLag,
  setUpStreams,
} from "@headless-ops/bus";
import { natsNames, priorities } from "@headless-ops/contracts";
import { createDb } from "@headless-ops/db";
import {
  createLogger,
  createMetricsRegistry,
  exitOnFatal,
  Lifecycle,
  loadConfig,
  startOpsServer,
} from "@headless-ops/runtime";
import { DeadlineSlices } from "./deadlines.js";
import { createDriverRegistry } from "./drivers/registry.js";
import { createSnmpDriver } from "./drivers/snmp/index.js";
import { createProberMetrics } from "./metrics.js";
import { OperationStatusCache } from "./operation-status-cache.js";
import { Prober } from "./prober.js";
import { Semaphore } from "./semaphore.js";

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger("prober", config);
  const lifecycle = new Lifecycle(log, config.SHUTDOWN_GRACE_MS);
  lifecycle.installSignalHandlers();

  const db = createDb({
    url: config.DATABASE_URL,
    max: Math.min(config.DATABASE_POOL_MAX, 4),
    applicationName: "prober",
    onError: (err) => log.warn({ err }, "database connection lost"),
  });
  lifecycle.onShutdown("database", () => db.close());
  const nc = await connectNats({ config, name: "prober", log });
  lifecycle.onShutdown("nats", () => nc.drain());
  const jsm = await jetstreamManager(nc);
  await setUpStreams(jsm, config, log);
  const js = jetstream(nc);
  const names = natsNames(config.NATS_PREFIX);

  const registry = createMetricsRegistry("prober");
  registerConsumerLag(
    registry,
    jsm,
    priorities.map((p) => ({ stream: names.streams.deviceJobs, name: names.consumers.prober(p) })),
  );
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

  // The SNMP driver opens sealed credentials, so it needs CREDENTIAL_KEY; without it only the
  // simulated driver runs and SNMP devices fail with a clear error instead of the prober crashing.
  if (!config.CREDENTIAL_KEY) log.warn("CREDENTIAL_KEY is not set: the snmp driver is disabled");
  const drivers = createDriverRegistry(
    config.CREDENTIAL_KEY ? [createSnmpDriver({ config, pool: db.pool })] : [],
  );
  lifecycle.onShutdown("drivers", () => drivers.close());
  const prober = new Prober({
    js,
    names,
    log,
    metrics: createProberMetrics(registry),
    drivers,
    policy: {
      timeoutMs: config.PROBE_TIMEOUT_MS,
      maxAttempts: config.PROBE_MAX_ATTEMPTS,
      backoffMs: config.PROBE_RETRY_BACKOFF_MS,
    },
    slots: new Semaphore(config.PROBER_CONCURRENCY),
    deadlines: new DeadlineSlices(),
    statuses: new OperationStatusCache(db.pool, config.PROBER_STATUS_CACHE_MS, (err, operationId) =>
      log.warn({ err, operationId }, "operation status lookup failed"),
    ),
    concurrency: config.PROBER_CONCURRENCY,
    resultFlushMs: config.PROBER_RESULT_FLUSH_MS,
  });
  // Leave a little of the grace for draining NATS and closing the pool.
  lifecycle.onShutdown("prober", () => prober.stop(Math.max(0, config.SHUTDOWN_GRACE_MS - 3_000)));
  await prober.start();
  log.info(
    { metricsPort: ops.port, drivers: drivers.names(), concurrency: config.PROBER_CONCURRENCY },
    "prober started",
  );
}

main().catch((err) => exitOnFatal(createLogger("prober", loadConfig({})))(err));
