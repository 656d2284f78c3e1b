import { Gauge, type Registry } from "prom-client";
import type { ProgressHub } from "./progress-hub.js";

/**
 * Live-progress gauges, read at scrape time: open SSE streams, and NATS subscriptions behind them —
 * one per replica whatever the number of streams (the hub's fan-out), which the tests check.
 */
export function registerLiveMetrics(registry: Registry, hub: ProgressHub): void {
  new Gauge({
    name: "sse_streams_open",
    help: "Open Server-Sent Events streams (per-operation and list)",
    registers: [registry],
    collect() {
      this.set(hub.streams);
    },
  });
  new Gauge({
    name: "sse_nats_subscriptions",
    help: "NATS subscriptions feeding the SSE streams of this replica",
    registers: [registry],
    collect() {
      this.set(hub.natsSubscriptions);
    },
  });
}
