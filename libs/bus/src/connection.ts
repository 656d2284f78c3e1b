import type { Logger } from "@headless-ops/runtime";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { type NatsSettings, natsConnectionOptions } from "./connection-options.js";

export type ConnectNatsOptions = {
  /** Connection name; also the inbox prefix (`_INBOX.<name>.>`) when no NATS_USER is set. */
  name: string;
  log: Logger;
  /** Server(s), credentials and TLS: the process config (`loadConfig`), or any object with these NATS_* fields. */
  config?: NatsSettings;
  /** Server(s), overriding `config.NATS_URL` (tests); without either, the local default. */
  url?: string;
};

/**
 * The one place every process connects to NATS: credentials and TLS from the environment, unlimited
 * reconnects, status changes logged (never the credentials).
 */
export async function connectNats(opts: ConnectNatsOptions): Promise<NatsConnection> {
  const settings: NatsSettings = {
    ...opts.config,
    NATS_URL: opts.url ?? opts.config?.NATS_URL ?? "nats://127.0.0.1:4222",
  };
  const nc = await connect(natsConnectionOptions(settings, opts.name));
  void (async () => {
    for await (const status of nc.status()) {
      if (status.type === "disconnect" || status.type === "error") {
        const reason = status.type === "error" ? status.error.message : undefined;
        opts.log.warn({ nats: status.type, reason }, "nats connection problem");
      } else if (status.type === "reconnect") {
        opts.log.info({ nats: status.type }, "nats reconnected");
      }
    }
  })().catch(() => undefined);
  return nc;
}
