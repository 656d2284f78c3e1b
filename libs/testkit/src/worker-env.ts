import type { JetStreamClient } from "@headless-ops/bus";
import type { NatsNames } from "@headless-ops/contracts";
import type { DbHandle } from "@headless-ops/db";
import {
  type Config,
  createLogger,
  createMetricsRegistry,
  type Logger,
  loadConfig,
} from "@headless-ops/runtime";
import { openConnections, type WorkerConnections, type WorkerDeps } from "@headless-ops/worker";
import { createTestContext, type TestContext } from "./context.js";

export type WorkerTestEnv = {
  ctx: TestContext;
  config: Config;
  log: Logger;
  conn: WorkerConnections;
  db: DbHandle;
  js: JetStreamClient;
  names: NatsNames;
  /**
   * What `runWorker` hands a worker's `build<Service>`, with a fresh metrics registry each call
   * (two replicas in one test must not register the same metric twice); `config` replaces the env's.
   */
  deps: (config?: Config) => WorkerDeps;
  /** Closes NATS and the pool, then drops the database and the streams (stop the workers first). */
  close: () => Promise<void>;
};

/**
 * A test file's own database and NATS prefix, connected the way the worker host connects
 * (`openConnections`: pool, NATS, streams provisioned). `env` adds config variables.
 */
export async function startWorkerEnv(
  name: string,
  opts: { env?: Record<string, string>; poolMax?: number } = {},
): Promise<WorkerTestEnv> {
  const ctx = await createTestContext();
  const config = loadConfig({ ...ctx.env, ...opts.env });
  const log = createLogger(name, config);
  const conn = await openConnections({ name, config, log, poolMax: opts.poolMax ?? 4 }).catch(
    async (err: unknown) => {
      await ctx.cleanup();
      throw err;
    },
  );
  return {
    ctx,
    config,
    log,
    conn,
    db: conn.db,
    js: conn.js,
    names: conn.names,
    deps: (override = config) => ({ ...conn, config: override, log, registry: createMetricsRegistry(name) }),
    close: async () => {
      await conn.nc.close();
      await conn.db.close();
      await ctx.cleanup();
    },
  };
}
