import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type NotifierMetrics = ReturnType<typeof createNotifierMetrics>;

export function createNotifierMetrics(registry: Registry) {
  return {
    events: new Counter({
      name: "notifier_events_total",
      help: "Operation events turned into webhook deliveries, by type",
      labelNames: ["type"],
      registers: [registry],
    }),
    attempts: new Counter({
      name: "notifier_delivery_attempts_total",
      help: "Webhook delivery attempts by outcome (succeeded, retry, failed)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    latency: new Histogram({
      name: "notifier_delivery_duration_seconds",
      help: "Duration of one webhook delivery attempt",
      buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers: [registry],
    }),
    inFlight: new Gauge({
      name: "notifier_deliveries_in_flight",
      help: "Webhook deliveries being sent now",
      registers: [registry],
    }),
  };
}
