import { Counter, Histogram, type Registry } from "prom-client";

export type AggregatorMetrics = ReturnType<typeof createAggregatorMetrics>;

/** Aggregator metrics: results received and folded, batch sizes, fold time, operations by status. */
export function createAggregatorMetrics(registry: Registry) {
  return {
    resultsReceived: new Counter({
      name: "aggregator_results_received_total",
      help: "Device results received (duplicates included)",
      registers: [registry],
    }),
    resultsFolded: new Counter({
      name: "aggregator_results_folded_total",
      help: "Ledger rows that moved to a terminal state",
      registers: [registry],
    }),
    messages: new Counter({
      name: "aggregator_messages_total",
      help: "Result messages handled, by result (acked, nak, term)",
      labelNames: ["result"],
      registers: [registry],
    }),
    batchSize: new Histogram({
      name: "aggregator_batch_results",
      help: "Device results per fold transaction",
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 25000],
      registers: [registry],
    }),
    foldSeconds: new Histogram({
      name: "aggregator_fold_duration_seconds",
      help: "Duration of one fold transaction",
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers: [registry],
    }),
    operationsFinished: new Counter({
      name: "aggregator_operations_finished_total",
      help: "Operations that reached a final status in a fold",
      labelNames: ["status"],
      registers: [registry],
    }),
  };
}

/** `operations_by_status{status}`, defined once in libs/db. */
export { registerOperationsByStatus } from "@headless-ops/db";
