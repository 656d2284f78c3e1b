import type { Logger } from "@headless-ops/runtime";
import { connect, type NatsConnection } from "@nats-io/transport-node";

/**
 * Connects with unlimited reconnects: a NATS restart pauses the process, it does not kill it.
 * Status changes are logged.
 */
export async function connectNats(opts: { url: string; name: string; log: Logger }): Promise<NatsConnection> {
  const nc = await connect({
    servers: opts.url.split(",").map((s) => s.trim()),
    name: opts.name,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    timeout: 10_000,
  });
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" || status.type === "error") {
        opts.log.warn({ nats: status.type }, "nats connection problem");
      } else if (status.type === "reconnect") {
        opts.log.info({ nats: status.type }, "nats reconnected");
      }
    }
  })().catch(() => undefined);
  return nc;
}
