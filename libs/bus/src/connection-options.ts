import { readFileSync } from "node:fs";
import type { Config } from "@headless-ops/runtime";
import {
  type Authenticator,
  credsAuthenticator,
  type NodeConnectionOptions,
  nkeyAuthenticator,
  tokenAuthenticator,
  usernamePasswordAuthenticator,
} from "@nats-io/transport-node";

/** The NATS_* part of the configuration: server(s), credentials, TLS. Validated by libs/runtime's schema. */
export type NatsSettings = Pick<Config, "NATS_URL"> &
  Partial<
    Pick<
      Config,
      | "NATS_USER"
      | "NATS_PASSWORD"
      | "NATS_TOKEN"
      | "NATS_CREDS_FILE"
      | "NATS_NKEY_SEED_FILE"
      | "NATS_TLS_CA_FILE"
      | "NATS_TLS_CERT_FILE"
      | "NATS_TLS_KEY_FILE"
    >
  >;

export class NatsSettingsError extends Error {
  override readonly name = "NatsSettingsError";
  readonly code = "invalid_nats_settings";
}

/**
 * Reads a key file once now, so a missing or unreadable file fails the start-up with its variable's
 * name, and again at every (re)connect, so a rotated Secret is picked up without a restart.
 */
function fileReader(variable: string, path: string): () => Uint8Array {
  const read = () => new Uint8Array(readFileSync(path));
  try {
    read();
  } catch (err) {
    throw new NatsSettingsError(`${variable}: cannot read ${path}: ${(err as Error).message}`, {
      cause: err,
    });
  }
  return read;
}

function authenticator(s: NatsSettings): Authenticator | undefined {
  if (s.NATS_USER && s.NATS_PASSWORD) return usernamePasswordAuthenticator(s.NATS_USER, s.NATS_PASSWORD);
  if (s.NATS_TOKEN) return tokenAuthenticator(s.NATS_TOKEN);
  if (s.NATS_CREDS_FILE) return credsAuthenticator(fileReader("NATS_CREDS_FILE", s.NATS_CREDS_FILE));
  if (s.NATS_NKEY_SEED_FILE) {
    const read = fileReader("NATS_NKEY_SEED_FILE", s.NATS_NKEY_SEED_FILE);
    // A seed file may end with a newline; the seed itself is the first non-empty line.
    const seed = () =>
      new TextEncoder().encode(new TextDecoder().decode(read()).trim().split(/\s+/)[0] ?? "");
    return nkeyAuthenticator(seed);
  }
  return undefined;
}

function tls(s: NatsSettings): NodeConnectionOptions["tls"] {
  if (!s.NATS_TLS_CA_FILE && !s.NATS_TLS_CERT_FILE) return undefined;
  for (const [variable, path] of [
    ["NATS_TLS_CA_FILE", s.NATS_TLS_CA_FILE],
    ["NATS_TLS_CERT_FILE", s.NATS_TLS_CERT_FILE],
    ["NATS_TLS_KEY_FILE", s.NATS_TLS_KEY_FILE],
  ] as const) {
    if (path) fileReader(variable, path);
  }
  return {
    ...(s.NATS_TLS_CA_FILE ? { caFile: s.NATS_TLS_CA_FILE } : {}),
    ...(s.NATS_TLS_CERT_FILE && s.NATS_TLS_KEY_FILE
      ? { certFile: s.NATS_TLS_CERT_FILE, keyFile: s.NATS_TLS_KEY_FILE }
      : {}),
  };
}

/**
 * The client options for one process: unlimited reconnects (a NATS restart pauses the process, it
 * does not kill it), the identity from the environment, TLS when a CA or client certificate is given,
 * and replies on `_INBOX.<NATS_USER or name>.>`, so that the server config can give each user its own
 * inbox and no user reads the replies (JetStream deliveries) of another.
 */
export function natsConnectionOptions(settings: NatsSettings, name: string): NodeConnectionOptions {
  const auth = authenticator(settings);
  const tlsOptions = tls(settings);
  return {
    servers: natsServers(settings.NATS_URL),
    name,
    inboxPrefix: `_INBOX.${(settings.NATS_USER ?? name).replace(/[^A-Za-z0-9_-]/g, "_")}`,
    maxReconnectAttempts: -1,
    reconnectTimeWait: 500,
    waitOnFirstConnect: true,
    timeout: 10_000,
    ...(auth ? { authenticator: auth } : {}),
    ...(tlsOptions ? { tls: tlsOptions } : {}),
  };
}

/**
 * `NATS_URL` as the client's server list: one URL, or a cluster's nodes comma-separated (the client
 * takes a list, not a comma-separated string). Any node is enough to connect; the others are where
 * it reconnects when that node goes away.
 */
export function natsServers(url: string): string[] {
  return url
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The server list without any `user:password@` part, for log lines. */
export function serversForLog(url: string): string[] {
  return natsServers(url).map((s) => s.replace(/\/\/[^@/]*@/, "//"));
}
