import {
  connectNats,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
  type NatsConnection,
  serversForLog,
  setUpStreams,
} from "@headless-ops/bus";
import { assertSchemaUsable, buildSchema, createDb, migrationsFolder } from "@headless-ops/db";
import { createLogger, Lifecycle, loadConfig, startOpsServer, startTracing } from "@headless-ops/runtime";
import { buildApp } from "./app.js";
import { createApiMetrics } from "./metrics.js";
import { OutboxRelay } from "./relay.js";
import { readinessChecks } from "./routes/health.js";

/** Composition root (started by main.ts): config, connections, HTTP server, outbox relay, graceful shutdown. */
export async function startApi(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger("api", config);
  const lifecycle = new Lifecycle(log, config.SHUTDOWN_GRACE_MS);
  lifecycle.installSignalHandlers();
  // Registered first so it runs last: the spans of requests finished during shutdown are exported.
  const tracing = startTracing("api", config);
  lifecycle.onShutdown("tracing", () => tracing.shutdown());

  const db = createDb({
    url: config.DATABASE_URL,
    max: config.DATABASE_POOL_MAX,
    applicationName: "api",
    onError: (err) => log.warn({ err }, "database connection lost"),
  });
  lifecycle.onShutdown("postgres", () => db.close());
  // Before serving: a database past a contract migration this build predates stops the API here.
  await assertSchemaUsable(db.pool, buildSchema(migrationsFolder), log);

  // NATS connects in the background: the API serves (and POSTs succeed) while it is unreachable;
  // the relay publishes the outbox once it is there.
  let nc: NatsConnection | undefined;
  let js: JetStreamClient | undefined;
  const natsReady = connectNats({ config, name: "api", log })
    .then(async (conn) => {
      nc = conn;
      await setUpStreams(await jetstreamManager(conn), config, log);
      js = jetstream(conn);
      relay.wake();
      log.info({ nats: serversForLog(config.NATS_URL) }, "nats connected");
    })
    .catch((err) => log.error({ err }, "nats connection failed; events stay in the outbox"));
  lifecycle.onShutdown("nats", async () => {
    await Promise.race([natsReady, new Promise((r) => setTimeout(r, 1_000))]);
    await nc?.drain();
  });

  const relay = new OutboxRelay({
    pool: db.pool,
    jetstream: () => js,
    log: log.child({ component: "relay" }),
    intervalMs: config.RELAY_INTERVAL_MS,
    batchSize: config.RELAY_BATCH_SIZE,
    publishTimeoutMs: config.RELAY_PUBLISH_TIMEOUT_MS,
  });
  relay.start();
  lifecycle.onShutdown("relay", () => relay.stop());

  const metrics = createApiMetrics(db.pool);
  const natsGetters = { connection: () => nc, jetstream: () => js };
  const app = await buildApp({ config, log, db, relay, metrics, nats: natsGetters });
  lifecycle.onShutdown("http", () => app.close());
  // Metrics (every tenant's operation counts) on their own port, like the workers, off the public one.
  const ops = await startOpsServer({
    host: config.HOST,
    port: config.METRICS_PORT,
    registry: metrics.registry,
    checks: readinessChecks(db.pool, natsGetters.connection),
  });
  lifecycle.onShutdown("ops-server", () => ops.close());
  await app.listen({ host: config.HOST, port: config.PORT });
  log.info({ port: config.PORT, metricsPort: ops.port }, "api listening");
}
