import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type ProberMetrics = ReturnType<typeof createProberMetrics>;

/** Prober metrics: jobs, probes by outcome and code, probe latency, devices in flight, consumer lag. */
export function createProberMetrics(registry: Registry) {
  return {
    jobs: new Counter({
      name: "prober_jobs_total",
      help: "Job messages handled, by result (acked, nak, term)",
      labelNames: ["priority", "result"],
      registers: [registry],
    }),
    devices: new Counter({
      name: "prober_devices_total",
      help: "Devices reported, by outcome (succeeded, failed, cancelled)",
      labelNames: ["outcome"],
      registers: [registry],
    }),
    probes: new Counter({
      name: "prober_probe_attempts_total",
      help: "Probe attempts by outcome and error code",
      labelNames: ["outcome", "error_code"],
      registers: [registry],
    }),
    probeSeconds: new Histogram({
      name: "prober_probe_duration_seconds",
      help: "Duration of one probe attempt",
      buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    devicesInFlight: new Gauge({
      name: "prober_devices_in_flight",
      help: "Devices being probed by this replica",
      registers: [registry],
    }),
    resultsPublished: new Counter({
      name: "prober_result_messages_published_total",
      help: "Result batch messages published to ops.result",
      registers: [registry],
    }),
  };
}
