import { registerOperationsByStatus } from "@headless-ops/db";
import { createMetricsRegistry } from "@headless-ops/runtime";
import type pg from "pg";
import { Counter, Gauge, Histogram, type Registry } from "prom-client";

export type ApiMetrics = {
  registry: Registry;
  requests: Counter<"method" | "route" | "status">;
  latency: Histogram<"method" | "route">;
};

/**
 * The API's Prometheus metrics: request counts and latency by route, operations by status (read
 * from Postgres at scrape time), and the process defaults (RSS, event-loop lag, GC).
 */
export function createApiMetrics(pool: pg.Pool): ApiMetrics {
  const registry = createMetricsRegistry("api");
  const requests = new Counter({
    name: "http_requests_total",
    help: "HTTP requests by method, route and status code",
    labelNames: ["method", "route", "status"] as const,
    registers: [registry],
  });
  const latency = new Histogram({
    name: "http_request_duration_seconds",
    help: "HTTP request latency by method and route",
    labelNames: ["method", "route"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
    registers: [registry],
  });
  registerOperationsByStatus(registry, pool);
  new Gauge({
    name: "outbox_unsent",
    help: "Outbox events not yet published",
    registers: [registry],
    async collect() {
      const res = await pool.query<{ n: number }>(
        "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL",
      );
      this.set(res.rows[0]?.n ?? 0);
    },
  });
  return { registry, requests, latency };
}
