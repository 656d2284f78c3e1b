import { registerConsumerLag } from "@headless-ops/bus";
import { stopOnce, type Worker, type WorkerDeps } from "@headless-ops/worker";
import { listenOperationCreated } from "./created-listener.js";
import { startLedgerRetention } from "./ledger-retention.js";
import { createSchedulerMetrics } from "./metrics.js";
import { Scheduler, type SchedulerOptions } from "./scheduler.js";
import { timeoutEnforcer } from "./timeouts.js";

export type SchedulerWorker = Worker & { scheduler: Scheduler };

/**
 * The scheduler worker: the claim/fan-out loop plus the `operation.created` wake-up consumer.
 * `tuning` overrides options derived from the config (tests use a claim-only replica, small pages).
 */
export function buildScheduler(deps: WorkerDeps, tuning: Partial<SchedulerOptions> = {}): SchedulerWorker {
  const { config, log, js, names, registry } = deps;
  registerConsumerLag(registry, deps.jsm, [
    { stream: names.streams.operations, name: names.consumers.scheduler },
  ]);
  const scheduler = new Scheduler({
    pool: deps.db.pool,
    js,
    names,
    natsPrefix: config.NATS_PREFIX,
    log,
    metrics: createSchedulerMetrics(registry),
    sweepMs: config.SCHEDULER_SWEEP_MS,
    batchSize: config.FANOUT_BATCH_SIZE,
    pageSize: config.FANOUT_PAGE_SIZE,
    fanoutConcurrency: config.SCHEDULER_FANOUT_CONCURRENCY,
    enforceTimeouts: timeoutEnforcer(log, config.NATS_PREFIX),
    ...tuning,
  });
  let listener: { stop: () => Promise<void> } | undefined;
  let retention: { stop: () => Promise<void> } | undefined;
  return {
    scheduler,
    start: async () => {
      listener = await listenOperationCreated({
        js,
        names,
        log,
        onCreated: () => scheduler.wake(),
      });
      scheduler.start();
      retention = startLedgerRetention({
        pool: deps.db.pool,
        log,
        retentionDays: config.OPERATION_RETENTION_DAYS,
      });
    },
    // Intake first (the wake-up consumer), then the loop, which lets running fan-outs record their cursor.
    stop: stopOnce(async () => {
      await listener?.stop();
      await scheduler.stop();
      await retention?.stop();
    }),
  };
}
