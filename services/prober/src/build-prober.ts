import { registerConsumerLag } from "@headless-ops/bus";
import { priorities } from "@headless-ops/contracts";
import { takeRateTokens } from "@headless-ops/db";
import { credentialKeysOf } from "@headless-ops/runtime";
import { stopOnce, type Worker, type WorkerDeps } from "@headless-ops/worker";
import { DeadlineSlices } from "./deadlines.js";
import { createDriverRegistry } from "./drivers/registry.js";
import { createSnmpDriver } from "./drivers/snmp/index.js";
import { createProberMetrics } from "./metrics.js";
import { OperationStatusCache } from "./operation-status-cache.js";
import { Prober, type ProberOptions } from "./prober.js";
import { RateLimiter } from "./rate-limiter.js";
import { Semaphore } from "./semaphore.js";

/** The prober needs few connections: operation status reads and the SNMP driver's credential lookups. */
export const proberPoolMax = (config: { DATABASE_POOL_MAX: number }) => Math.min(config.DATABASE_POOL_MAX, 4);

/**
 * The prober worker: job intake over the three priority consumers, the driver registry and the
 * probe policy. `tuning` overrides options derived from the config (tests pull fewer jobs ahead).
 */
export function buildProber(deps: WorkerDeps, tuning: Partial<ProberOptions> = {}): Worker {
  const { config, log, names, registry } = deps;
  registerConsumerLag(
    registry,
    deps.jsm,
    priorities.map((p) => ({ stream: names.streams.deviceJobs, name: names.consumers.prober(p) })),
  );
  // The SNMP driver opens sealed credentials, so it needs CREDENTIAL_KEY; without it only the
  // simulated driver runs and SNMP devices fail with a clear error instead of the prober crashing.
  // Production refuses to run without a key or with a weak one (credentialKeysOf throws).
  const credentialKeys = credentialKeysOf(config);
  if (!credentialKeys) log.warn("CREDENTIAL_KEY is not set: the snmp driver is disabled");
  const drivers = createDriverRegistry(
    credentialKeys ? [createSnmpDriver({ config, pool: deps.db.pool })] : [],
  );
  const prober = new Prober({
    js: deps.js,
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
    statuses: new OperationStatusCache(deps.db.pool, config.PROBER_STATUS_CACHE_MS, (err, operationId) =>
      log.warn({ err, operationId }, "operation status lookup failed"),
    ),
    limiter: new RateLimiter(
      (operationId, rate, count) => takeRateTokens(deps.db.pool, operationId, rate, count),
      (err, operationId) => log.warn({ err, operationId }, "rate token take failed; devices wait"),
    ),
    concurrency: config.PROBER_CONCURRENCY,
    resultFlushMs: config.PROBER_RESULT_FLUSH_MS,
    ...tuning,
  });
  return {
    start: () => prober.start(),
    // Leave a little of the grace for draining NATS and closing the pool; drivers close after the
    // last probe has ended.
    stop: stopOnce(async () => {
      try {
        await prober.stop(Math.max(0, config.SHUTDOWN_GRACE_MS - 3_000));
      } finally {
        await drivers.close();
      }
    }),
    describe: () => ({ drivers: drivers.names(), concurrency: config.PROBER_CONCURRENCY }),
  };
}
