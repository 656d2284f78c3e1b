import type { Priority } from "./domain.js";

/**
 * Stream, subject and consumer names, namespaced by `NATS_PREFIX` so that several
 * installations or test runs can share one NATS server without seeing each other.
 */
export function natsNames(prefix: string) {
  const s = prefix ? `${prefix}.` : "";
  const n = prefix ? `${prefix}_` : "";
  return {
    streams: {
      operations: `${n}OPERATIONS`,
      deviceJobs: `${n}DEVICE_JOBS`,
      deviceResults: `${n}DEVICE_RESULTS`,
    },
    subjects: {
      operationsAll: `${s}ops.operation.>`,
      operationCreated: `${s}ops.operation.created`,
      /** Durable (outbox → OPERATIONS stream): scheduled → in_progress. */
      operationStarted: `${s}ops.operation.started`,
      /** Durable (outbox → OPERATIONS stream): every terminal transition, once per operation. */
      operationFinished: `${s}ops.operation.finished`,
      /** Durable (outbox → OPERATIONS stream): progress first crossing 25, 50 or 75 %. */
      operationMilestone: `${s}ops.operation.progress_milestone`,
      /**
       * Core NATS, lossy by design (absolute values, the next event supersedes): never inside a
       * stream's subjects, so nothing stores them. The API subscribes to `progressAll` once per replica.
       */
      progress: (operationId: string) => `${s}ops.progress.${operationId}`,
      progressAll: `${s}ops.progress.*`,
      jobsAll: `${s}ops.job.>`,
      job: (priority: Priority) => `${s}ops.job.${priority}`,
      result: `${s}ops.result`,
    },
    consumers: {
      scheduler: "scheduler",
      prober: (priority: Priority) => `prober-${priority}`,
      aggregator: "aggregator",
      /** Webhook deliveries (services/notifier): started, finished and milestone events. */
      notifier: "notifier",
    },
  } as const;
}

export type NatsNames = ReturnType<typeof natsNames>;
