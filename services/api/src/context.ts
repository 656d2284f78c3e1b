import type { JetStreamClient, NatsConnection } from "@headless-ops/bus";
import type { AddressGuard, Config, CredentialSealer, Logger } from "@headless-ops/runtime";
import type pg from "pg";
import type { ProgressHub } from "./events/progress-hub.js";
import type { ApiMetrics } from "./metrics.js";
import type { StatusHelpers } from "./operations/status-helpers.js";
import type { OutboxRelay } from "./relay.js";

/** What the routes share: built once by `buildApp`, read-only afterwards. */
export type AppContext = {
  config: Config;
  log: Logger;
  pool: pg.Pool;
  /** Undefined when CREDENTIAL_KEY is not configured: devices with credentials are then refused. */
  sealer: CredentialSealer | undefined;
  statusHelpers: StatusHelpers;
  /** Why a management address may not be saved (address guard), or undefined when it may. */
  addressProblem: (address: string) => string | undefined;
  /** The address guard of webhook URLs (no private ranges): at save; the notifier checks again. */
  webhookGuard: AddressGuard;
  metrics: ApiMetrics;
  nats: () => NatsConnection | undefined;
  jetstream: () => JetStreamClient | undefined;
  /** Set when the app runs a relay: a POST wakes it so the event goes out at once. */
  relay: OutboxRelay | undefined;
  /** Live progress: one NATS subscription and one poll per replica, shared by every SSE stream. */
  hub: ProgressHub;
};
