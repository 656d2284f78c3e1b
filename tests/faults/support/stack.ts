import { connectNats, jetstreamManager, provisionStreams } from "@headless-ops/bus";
import { createDb, type DbHandle } from "@headless-ops/db";
import { createLogger } from "@headless-ops/runtime";
import {
  createTestContext,
  ProcessGroup,
  type ServiceName,
  type ServiceProcess,
  type TestContext,
  waitFor,
} from "@headless-ops/testkit";
import type { FaultProfile } from "./profile.js";

export type FaultStack = {
  ctx: TestContext;
  /** Where the services point (the shared servers, or a test-owned one in their place). */
  databaseUrl: string;
  natsUrl: string;
  natsPrefix: string;
  env: Record<string, string>;
  db: DbHandle;
  group: ProcessGroup;
  /** Starts one more service process named `name` (waits for /readyz unless `ready: false`). */
  start: (
    service: ServiceName,
    name: string,
    opts?: { ready?: boolean; env?: Record<string, string> },
  ) => Promise<ServiceProcess>;
  /**
   * The pipeline most scenarios run: a scheduler, an aggregator (named `aggregator` unless told) and
   * `probers` probers named `prober-<i>`, started together.
   */
  startPipeline: (probers: number, names?: { aggregator?: string }) => Promise<void>;
  /** Running processes of a service (by name prefix). */
  running: (prefix: string) => ServiceProcess[];
  stop: () => Promise<void>;
};

/** Service settings shared by the scenarios (the test passes env to children; services never read it elsewhere). */
export function faultEnv(profile: FaultProfile, concurrency: number): Record<string, string> {
  return {
    LOG_LEVEL: "warn",
    SHUTDOWN_GRACE_MS: "10000",
    SCHEDULER_SWEEP_MS: "500",
    FANOUT_BATCH_SIZE: "200",
    FANOUT_PAGE_SIZE: "2000",
    PROBER_CONCURRENCY: String(concurrency),
    PROBE_MAX_ATTEMPTS: "3",
    PROBE_RETRY_BACKOFF_MS: "100",
    PROBE_TIMEOUT_MS: String(Math.max(2_000, profile.latencyMs * 20)),
    AGGREGATOR_BATCH_MS: "50",
    DATABASE_POOL_MAX: "4",
  };
}

/**
 * One scenario's installation: a fresh database and NATS prefix (createTestContext), optionally
 * a test-owned NATS or Postgres in place of the shared one, streams provisioned, and a process
 * group the scenario starts, kills and restarts services in.
 */
export async function startFaultStack(opts: {
  env: Record<string, string>;
  natsUrl?: string;
  databaseUrl?: string;
  /** JetStream stream replicas (3 on a TestNatsCluster); the services get it as NATS_STREAM_REPLICAS. */
  replicas?: number;
}): Promise<FaultStack> {
  const ctx = await createTestContext();
  const databaseUrl = opts.databaseUrl ?? ctx.databaseUrl;
  const natsUrl = opts.natsUrl ?? ctx.natsUrl;
  const replicas = opts.replicas ?? 1;
  const env = {
    ...ctx.env,
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    NATS_STREAM_REPLICAS: String(replicas),
    ...opts.env,
  };
  const nc = await connectNats({
    url: natsUrl,
    name: "faults",
    log: createLogger("faults", { LOG_LEVEL: "warn", LOG_PRETTY: false }),
  });
  await provisionStreams(await jetstreamManager(nc), ctx.natsPrefix, replicas);
  await nc.close();
  const db = createDb({ url: databaseUrl, max: 3, applicationName: "faults", onError: () => undefined });
  const group = new ProcessGroup();
  const start: FaultStack["start"] = (service, name, o = {}) =>
    group.start(service, { env: { ...env, ...o.env }, name, ready: o.ready });
  return {
    ctx,
    databaseUrl,
    natsUrl,
    natsPrefix: ctx.natsPrefix,
    env,
    db,
    group,
    start,
    startPipeline: async (probers, names = {}) => {
      await Promise.all([
        start("scheduler", "scheduler"),
        start("aggregator", names.aggregator ?? "aggregator"),
        ...Array.from({ length: probers }, (_, i) => start("prober", `prober-${i}`)),
      ]);
    },
    running: (prefix) => group.processes.filter((p) => p.running && p.name.startsWith(prefix)),
    stop: async () => {
      try {
        await group.stopAll();
      } finally {
        await db.close();
        await ctx.cleanup();
      }
    },
  };
}

/** Terminal ledger rows of an operation (what the aggregator has folded). */
export async function terminalRows(pool: DbHandle["pool"], operationId: string): Promise<number> {
  const res = await pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM operation_devices WHERE operation_id = $1 AND status NOT IN ('pending', 'dispatched')",
    [operationId],
  );
  return res.rows[0]?.n ?? 0;
}

/** Waits until at least `fraction` of `devices` have a terminal ledger row. */
export async function waitForProgress(
  pool: DbHandle["pool"],
  operationId: string,
  devices: number,
  fraction: number,
  timeoutMs = 120_000,
): Promise<number> {
  return waitFor(
    async () => {
      const n = await terminalRows(pool, operationId);
      return n >= devices * fraction ? n : undefined;
    },
    { timeoutMs, intervalMs: 50, what: `${Math.round(fraction * 100)}% of operation ${operationId}` },
  );
}
