import type { JetStreamManager } from "@nats-io/jetstream";
import { Gauge, type Registry } from "prom-client";

/**
 * `consumer_lag_messages{consumer}`: messages not yet delivered plus delivered but unacked,
 * read from consumer info at scrape time.
 */
export function registerConsumerLag(
  registry: Registry,
  jsm: JetStreamManager,
  consumers: { stream: string; name: string }[],
): void {
  new Gauge({
    name: "consumer_lag_messages",
    help: "Pending (undelivered) plus unacknowledged messages of a durable consumer",
    labelNames: ["consumer", "kind"],
    registers: [registry],
    async collect() {
      await Promise.all(
        consumers.map(async ({ stream, name }) => {
          const info = await jsm.consumers.info(stream, name).catch(() => undefined);
          if (!info) return;
          this.set({ consumer: name, kind: "pending" }, info.num_pending);
          this.set({ consumer: name, kind: "ack_pending" }, info.num_ack_pending);
        }),
      );
    },
  });
}
