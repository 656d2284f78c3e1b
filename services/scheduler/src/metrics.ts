import { Counter, Gauge, type Registry } from "prom-client";

export type SchedulerMetrics = ReturnType<typeof createSchedulerMetrics>;

/** Scheduler metrics: claims, published jobs and devices, fan-outs running. */
export function createSchedulerMetrics(registry: Registry) {
  return {
    operationsClaimed: new Counter({
      name: "scheduler_operations_claimed_total",
      help: "Operations claimed (scheduled → in_progress)",
      registers: [registry],
    }),
    jobsPublished: new Counter({
      name: "scheduler_jobs_published_total",
      help: "Job messages published (each carries up to FANOUT_BATCH_SIZE devices)",
      labelNames: ["priority"],
      registers: [registry],
    }),
    devicesPublished: new Counter({
      name: "scheduler_devices_published_total",
      help: "Devices sent to probers in job messages",
      labelNames: ["priority"],
      registers: [registry],
    }),
    fanoutsActive: new Gauge({
      name: "scheduler_fanouts_active",
      help: "Operations this replica is fanning out right now",
      registers: [registry],
    }),
    scheduleFirings: new Counter({
      name: "scheduler_schedule_firings_total",
      help: "Schedule firings by result: fired, overlap_skipped, missed_skipped, duplicate, invalid",
      labelNames: ["result"],
      registers: [registry],
    }),
    fanoutErrors: new Counter({
      name: "scheduler_fanout_errors_total",
      help: "Fan-outs that failed and will resume from their cursor on the next sweep",
      registers: [registry],
    }),
  };
}
