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
      /** Durable lifecycle events for webhooks (issue 13): outbox → OPERATIONS stream. */
      operationStarted: `${s}ops.operation.started`,
      operationFinished: `${s}ops.operation.finished`,
      operationMilestone: `${s}ops.operation.progress_milestone`,
      jobsAll: `${s}ops.job.>`,
      job: (priority: Priority) => `${s}ops.job.${priority}`,
      result: `${s}ops.result`,
    },
    consumers: {
      scheduler: "scheduler",
      prober: (priority: Priority) => `prober-${priority}`,
      aggregator: "aggregator",
      notifier: "notifier",
    },
  } as const;
}

export type NatsNames = ReturnType<typeof natsNames>;
