import { z } from "zod";
import { checkNatsSecurity } from "./nats-security-check.js";

/** Boolean env values: "true"/"1"/"yes" and "false"/"0"/"no"/"" (z.coerce.boolean would take "false" as true). */
const envBool = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0", "yes", "no", ""])
    .default(fallback ? "true" : "false")
    .transform((v) => v === "true" || v === "1" || v === "yes");

const int = (fallback: number, min: number, max: number) =>
  z.coerce.number().int().min(min).max(max).default(fallback);

/**
 * The whole environment of every headless-ops process, parsed once by `loadConfig`.
 * Each service reads only the fields it needs; every variable is documented in the README.
 */
export const configSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  /**
   * Postgres connection string; `npm run migrate` creates the database when it is missing. Unset: the
   * default local one, `defaultDatabaseUrl(DEFAULT_POSTGRES_PORT)`.
   */
  DATABASE_URL: z.url().default(defaultDatabaseUrl(5432)),
  /**
   * Postgres as the schema owner, for `npm run migrate` (and the launcher) only; the services never get
   * it. When set and its user differs from DATABASE_URL's, migrate creates DATABASE_URL's user if missing
   * (with DATABASE_URL's password, when it has one) and grants it row access but no schema changes.
   */
  MIGRATE_DATABASE_URL: z.url().optional(),
  /** Connections per process pool. */
  DATABASE_POOL_MAX: int(10, 1, 200),
  /**
   * NATS server(s), comma-separated: one server, or a cluster's nodes
   * (`nats://n1:4222,nats://n2:4222,nats://n3:4222`; a name resolving to them, like the Helm chart's
   * Service, also works). The client connects to any and moves to another when its node goes away.
   */
  NATS_URL: z
    .string()
    .refine((v) => v.split(",").some((s) => s.trim().length > 0), "at least one server URL")
    .default(defaultNatsUrl(4222)),
  /** Namespace for stream and subject names, so several installations (or test runs) share one NATS. */
  NATS_PREFIX: z
    .string()
    .regex(/^[A-Za-z0-9_-]*$/, "letters, digits, '_' and '-' only")
    .max(32)
    .default(""),
  /** JetStream stream replicas: 1 on one node, 3 on a cluster. */
  NATS_STREAM_REPLICAS: int(1, 1, 5),
  /**
   * Whether this process creates or updates the streams and consumers at start (true: every process
   * does, fine on an open dev server). With least-privilege NATS users (deploy/nats) only the
   * provisioning identity may: set false on the services and run `npm run nats:provision` once per deploy.
   */
  NATS_PROVISION_STREAMS: envBool(true),
  /**
   * NATS authentication: at most one of user/password, token, `.creds` file (JWT + nkey seed) and
   * nkey seed file. Unset: anonymous (dev only).
   */
  NATS_USER: z.string().min(1).optional(),
  NATS_PASSWORD: z.string().min(1).optional(),
  NATS_TOKEN: z.string().min(1).optional(),
  NATS_CREDS_FILE: z.string().min(1).optional(),
  NATS_NKEY_SEED_FILE: z.string().min(1).optional(),
  /** TLS to NATS: the CA that signed the server's certificate; client certificate and key for mutual TLS. */
  NATS_TLS_CA_FILE: z.string().min(1).optional(),
  NATS_TLS_CERT_FILE: z.string().min(1).optional(),
  NATS_TLS_KEY_FILE: z.string().min(1).optional(),
  /** API listen address and port. */
  HOST: z.string().default("0.0.0.0"),
  PORT: int(8080, 0, 65535),
  /**
   * Absolute base URL of the API as clients reach it (https://ops.example.net): pagination links and
   * the OpenAPI `servers` use it. Unset: links are built from the request's Host, which must then be a
   * plausible host name (else 400).
   */
  PUBLIC_URL: z.url({ protocol: /^https?$/ }).optional(),
  /** Port of the /healthz, /readyz and /metrics server of every service, the API's included (0 = any free port). */
  METRICS_PORT: int(9464, 0, 65535),
  LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
  /** Force pretty logs (default: pretty only on a TTY). */
  LOG_PRETTY: envBool(false),
  /** How long a process may take to finish in-flight work after SIGTERM. */
  SHUTDOWN_GRACE_MS: int(20_000, 0, 600_000),
  /** 32-byte key (base64 or 64 hex chars) for AES-256-GCM encryption of device credentials at rest. */
  CREDENTIAL_KEY: z.string().optional(),
  /**
   * Several credential keys with ids, `k2:<key>,k1:<key>`: the first seals, all open (key rotation).
   * CREDENTIAL_KEY, when also set, is held after them with id `default`. api, prober and notifier only.
   */
  CREDENTIAL_KEYS: z
    .string()
    .regex(/^[^,:]+:[^,]+(,[^,:]+:[^,]+)*$/, "a comma-separated list of id:key")
    .optional(),
  /** Largest accepted HTTP body. */
  BODY_LIMIT_BYTES: int(16 * 1024 * 1024, 1024, 256 * 1024 * 1024),
  /**
   * API rate limit: requests per window per token (by the token's sha-256; requests without a token by
   * client IP), in memory per API replica. Past it: 429 with Retry-After. Generous by default.
   */
  RATE_LIMIT_MAX: int(1_200, 1, 100_000_000),
  RATE_LIMIT_WINDOW_MS: int(60_000, 100, 86_400_000),
  /**
   * API: which peers' X-Forwarded-For/-Proto/-Host are believed (client address for logs and the
   * unauthenticated rate limit, scheme and host for links): "true", "false", or addresses, CIDRs and
   * the names loopback, linklocal, uniquelocal. The default trusts proxies on private networks (an
   * ingress in the cluster), not a client on the internet, who could otherwise pick its own address.
   */
  TRUST_PROXY: z.string().min(1).default("loopback,linklocal,uniquelocal"),
  /** Outbox relay poll interval and batch. */
  RELAY_INTERVAL_MS: int(250, 10, 60_000),
  RELAY_BATCH_SIZE: int(500, 1, 10_000),
  /** Throughput assumed for `estimated_duration_minutes` before any operation has been measured. */
  DEFAULT_DEVICES_PER_MINUTE: int(60_000, 1, 100_000_000),
  /** Status helpers: an in-progress operation with no progress for this long gets its unfinished jobs requeued. */
  STUCK_REQUEUE_AFTER_MS: int(300_000, 1_000, 86_400_000),
  /**
   * API: `update_status=true` runs the status helpers for an operation at most once per this long
   * (per replica, whoever asks); 0 runs them on every request.
   */
  STATUS_HELPERS_INTERVAL_MS: int(5_000, 0, 600_000),
  /** Outbox relay: how long one publish may wait for its JetStream ack. */
  RELAY_PUBLISH_TIMEOUT_MS: int(5_000, 100, 60_000),
  /** Scheduler: safety sweep interval for due operations, fan-out batch (devices per job message). */
  SCHEDULER_SWEEP_MS: int(2_000, 100, 600_000),
  FANOUT_BATCH_SIZE: int(250, 1, 10_000),
  /** Scheduler: finished operations' ledger rows (operation_devices) are deleted after this many days; 0 keeps them. */
  OPERATION_RETENTION_DAYS: int(30, 0, 36_500),
  /** Prober: concurrent probes per replica, per-device timeout, attempts and backoff for transient faults. */
  PROBER_CONCURRENCY: int(256, 1, 100_000),
  PROBE_TIMEOUT_MS: int(5_000, 10, 600_000),
  PROBE_MAX_ATTEMPTS: int(3, 1, 20),
  PROBE_RETRY_BACKOFF_MS: int(200, 0, 600_000),
  /** Launcher: number of prober processes. */
  PROBER_REPLICAS: int(2, 0, 64),
  /** Launcher `--demo`: share of the simulated devices that misbehave (silent, flapping, bad credentials…). */
  DEMO_FAULT_RATE: z.coerce.number().min(0).max(1).default(0.1),
  /**
   * Ports of the default local Postgres and NATS: DATABASE_URL and NATS_URL default to 127.0.0.1 on
   * them, and the launcher embeds a Postgres / starts a nats-server there when nothing answers at the
   * default URL. Moved only to run beside real services on 5432/4222 (the launcher's test does).
   */
  DEFAULT_POSTGRES_PORT: int(5432, 1, 65535),
  DEFAULT_NATS_PORT: int(4222, 1, 65535),
  /** Launcher: the nats-server binary to embed (unset: `nats-server` on PATH, then /usr/sbin, /usr/local/bin). */
  NATS_SERVER_BIN: z.string().min(1).optional(),
  /** Launcher: where the embedded Postgres and NATS keep their data (unset: `.headless-ops/` in the project root). */
  EMBEDDED_DATA_DIR: z.string().min(1).optional(),
  /** Aggregator: fold at most this many results, waiting at most this long, per transaction. */
  AGGREGATOR_BATCH_MAX: int(5_000, 1, 100_000),
  AGGREGATOR_BATCH_MS: int(50, 1, 60_000),
  /**
   * Address guard (SSRF): comma-separated CIDRs. When ALLOWED_NETWORKS is set, management addresses must
   * be inside it; DENIED_NETWORKS always wins. Link-local, cloud metadata, multicast and unspecified
   * addresses are denied unless inside an ALLOWED_NETWORKS entry; loopback only with ALLOW_LOOPBACK.
   */
  ALLOWED_NETWORKS: z.string().default(""),
  DENIED_NETWORKS: z.string().default(""),
  ALLOW_LOOPBACK: envBool(false),
  /** SNMP driver: timeout of one request (capped by the probe deadline) and retries per request. */
  SNMP_REQUEST_TIMEOUT_MS: int(1_000, 10, 60_000),
  SNMP_RETRIES: int(1, 0, 10),
  /** Scheduler: operations one replica fans out at the same time. */
  SCHEDULER_FANOUT_CONCURRENCY: int(4, 1, 64),
  /** Scheduler: ledger rows read per query during fan-out (split into FANOUT_BATCH_SIZE job messages). */
  FANOUT_PAGE_SIZE: int(5_000, 1, 100_000),
  /** Prober: results of a running job are published at most this long after they are known (progress moves). */
  PROBER_RESULT_FLUSH_MS: int(1_000, 10, 600_000),
  /** Prober: how long an operation's status (cancelled or not) is cached before it is read again. */
  PROBER_STATUS_CACHE_MS: int(1_000, 0, 60_000),
  /** Aggregator: fold transactions in flight at once (disjoint ledger rows, so Postgres runs them in parallel). */
  AGGREGATOR_FOLD_CONCURRENCY: int(2, 1, 16),
  /**
   * Aggregator: a successful probe moves a device's `last_seen` only once the recorded one is at least
   * this many seconds old; a re-sync that changes no other value then writes no device row. 0 records
   * every probe.
   */
  DEVICE_LAST_SEEN_RESOLUTION_S: int(300, 0, 604_800),
  /**
   * OpenTelemetry tracing, by the standard OTEL_* variables. Off unless OTEL_TRACES_EXPORTER=otlp or an
   * OTLP endpoint is set (and OTEL_TRACES_EXPORTER is not "none", OTEL_SDK_DISABLED not true).
   */
  OTEL_SDK_DISABLED: envBool(false),
  OTEL_TRACES_EXPORTER: z.enum(["otlp", "none"]).optional(),
  /** Collector base URL; spans go to `<endpoint>/v1/traces` (OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: as given). */
  OTEL_EXPORTER_OTLP_ENDPOINT: z.url().optional(),
  OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: z.url().optional(),
  /** OTLP over HTTP only (no gRPC in the image): protobuf (the OTel default) or JSON. */
  OTEL_EXPORTER_OTLP_PROTOCOL: z.enum(["http/protobuf", "http/json"]).default("http/protobuf"),
  /** `key=value,key2=value2` sent with every export (collector auth): a secret, never logged. */
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .regex(/^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$/, "a comma-separated list of key=value")
    .optional(),
  /** The service.name resource attribute; default: the process's role (api, scheduler, prober, aggregator). */
  OTEL_SERVICE_NAME: z.string().min(1).optional(),
  /** Extra resource attributes, `key=value,…` (e.g. deployment.environment=prod). */
  OTEL_RESOURCE_ATTRIBUTES: z
    .string()
    .regex(/^[^=,]+=[^,]*(,[^=,]+=[^,]*)*$/, "a comma-separated list of key=value")
    .optional(),
  /** Head sampling of new traces; child spans follow their parent's decision (parentbased_*). */
  OTEL_TRACES_SAMPLER: z
    .enum(["parentbased_always_on", "parentbased_traceidratio", "always_on", "always_off", "traceidratio"])
    .default("parentbased_always_on"),
  OTEL_TRACES_SAMPLER_ARG: z.coerce.number().min(0).max(1).default(1),
  /** Notifier: webhook deliveries in flight per replica, so a receiver that never answers holds one slot only. */
  NOTIFIER_CONCURRENCY: int(16, 1, 1_000),
  /** Notifier: deadline of one delivery attempt (connect, send, answer). */
  NOTIFIER_TIMEOUT_MS: int(10_000, 100, 120_000),
  /** Notifier: first retry delay (doubled per attempt, full jitter), its cap, and how long a delivery is retried. */
  NOTIFIER_RETRY_BASE_MS: int(5_000, 10, 3_600_000),
  NOTIFIER_RETRY_MAX_MS: int(3_600_000, 10, 86_400_000),
  NOTIFIER_RETRY_WINDOW_MS: int(86_400_000, 1_000, 7 * 86_400_000),
  /** Notifier: how often due deliveries are looked for (new events and retries also wake it). */
  NOTIFIER_POLL_MS: int(1_000, 10, 60_000),
  /** API, live progress (SSE): a `: heartbeat` comment this often keeps proxies from closing an idle stream. */
  SSE_HEARTBEAT_MS: int(15_000, 100, 300_000),
  /**
   * API, live progress: how often one query per replica re-reads the operations that changed, for the
   * changes no progress event announces (cancel, timeouts, a dropped event) and for the list stream.
   */
  SSE_POLL_MS: int(1_000, 50, 60_000),
  /** API, live progress: at most this many progress events per second per stream (the latest wins). */
  SSE_MAX_EVENTS_PER_SECOND: int(4, 1, 100),
  /** API, live progress: open streams one replica accepts; more answer 503 so a flood cannot exhaust it. */
  SSE_MAX_STREAMS: int(10_000, 1, 1_000_000),
});

export type Config = z.infer<typeof configSchema>;

/** The default local Postgres: user `postgres` (trust on a dev machine), database `headless_ops`. */
export function defaultDatabaseUrl(port: number): string {
  return `postgres://postgres@127.0.0.1:${port}/headless_ops`;
}

/** The default local NATS. */
export function defaultNatsUrl(port: number): string {
  return `nats://127.0.0.1:${port}`;
}

export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly code = "invalid_config";
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
  }
}

/** Parses the environment once; reports every bad variable at once. Never called at import time. */
export function loadConfig(env: Record<string, string | undefined>): Config {
  // Treat empty strings as unset so `FOO=` in an .env file falls back to the default.
  const cleaned = Object.fromEntries(
    Object.entries(env).filter(([key, value]) => key in configSchema.shape && value !== ""),
  );
  // Cross-field rules (pairs set together, one NATS auth method) on top of the per-variable schema.
  const parsed = configSchema.superRefine(checkNatsSecurity).safeParse(cleaned);
  if (!parsed.success) {
    throw new ConfigError(
      parsed.error.issues.map((issue) => `${issue.path.join(".") || "(env)"}: ${issue.message}`),
    );
  }
  const config = parsed.data;
  // The defaults follow the default ports, so moving a port moves every process's default with it.
  if (cleaned.DATABASE_URL === undefined)
    config.DATABASE_URL = defaultDatabaseUrl(config.DEFAULT_POSTGRES_PORT);
  if (cleaned.NATS_URL === undefined) config.NATS_URL = defaultNatsUrl(config.DEFAULT_NATS_PORT);
  return config;
}
