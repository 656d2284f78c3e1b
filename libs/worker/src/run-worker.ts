import { assertSchemaUsable, buildSchema, migrationsFolder } from "@headless-ops/db";
import {
  type Config,
  createLogger,
  createMetricsRegistry,
  exitOnFatal,
  Lifecycle,
  type Logger,
  loadConfig,
  startOpsServer,
  startTracing,
} from "@headless-ops/runtime";
import { openConnections } from "./connections.js";
import type { BuildWorker } from "./worker.js";

export type RunWorkerOptions = {
  /** Pool size from the config (default DATABASE_POOL_MAX); the prober needs only a few connections. */
  poolMax?: (config: Config) => number;
};

/**
 * The composition root of every worker service: config → logger → lifecycle (SIGTERM/SIGINT) →
 * Postgres pool → NATS and stream provisioning → ops server (/healthz, /readyz, /metrics) →
 * the worker built by `build` → started. Shutdown runs in reverse: the worker stops intake and
 * finishes in-flight work, the ops server closes, NATS drains, the pool closes, exit 0. Any
 * error on the way up logs "fatal error" and exits 1.
 */
export function runWorker(name: string, build: BuildWorker, options: RunWorkerOptions = {}): Promise<void> {
  let log: Logger | undefined;
  return startWorker(name, build, options, (l) => {
    log = l;
  }).catch((err) => exitOnFatal(log ?? createLogger(name, { LOG_LEVEL: "info", LOG_PRETTY: false }))(err));
}

async function startWorker(
  name: string,
  build: BuildWorker,
  options: RunWorkerOptions,
  onLogger: (log: Logger) => void,
): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger(name, config);
  onLogger(log);
  const lifecycle = new Lifecycle(log, config.SHUTDOWN_GRACE_MS);
  lifecycle.installSignalHandlers();
  // Registered first so it runs last: spans of the work finished during shutdown are exported too.
  const tracing = startTracing(name, config);
  lifecycle.onShutdown("tracing", () => tracing.shutdown());

  const conn = await openConnections({ name, config, log, poolMax: options.poolMax?.(config) });
  lifecycle.onShutdown("database", () => conn.db.close());
  // Before taking any work: a database past a contract migration this build predates stops it here
  // with one clear line, instead of a loop of SQL errors.
  await assertSchemaUsable(conn.db.pool, buildSchema(migrationsFolder), log);
  lifecycle.onShutdown("nats", () => conn.nc.drain());

  const registry = createMetricsRegistry(name);
  const ops = await startOpsServer({
    host: config.HOST,
    port: config.METRICS_PORT,
    registry,
    checks: [
      { name: "postgres", check: () => conn.db.pool.query("SELECT 1") },
      { name: "nats", check: () => conn.nc.flush() },
    ],
  });
  lifecycle.onShutdown("ops server", () => ops.close());

  const worker = await build({ ...conn, config, log, registry });
  lifecycle.onShutdown(name, () => worker.stop());
  // A signal during start-up already ran the steps registered so far: do not start taking work.
  if (lifecycle.stopping) return;
  await worker.start();
  log.info({ metricsPort: ops.port, ...worker.describe?.() }, `${name} started`);
}
