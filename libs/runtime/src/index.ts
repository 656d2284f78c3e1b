export {
  type AddressGuard,
  type AddressGuardConfig,
  AddressGuardConfigError,
  type AddressVerdict,
  createAddressGuard,
  parseNetworks,
  resolveAndCheck,
} from "./address-guard.js";
export {
  type Config,
  ConfigError,
  configSchema,
  defaultDatabaseUrl,
  defaultNatsUrl,
  loadConfig,
} from "./config.js";
export {
  type CredentialKey,
  credentialKeysOf,
  EXAMPLE_KEYS_HEX,
  parseCredentialKey,
  parseCredentialKeys,
  SINGLE_KEY_ID,
  weakKeyProblem,
} from "./credential-keys.js";
export {
  type CredentialBinding,
  CredentialKeyError,
  CredentialSealError,
  type CredentialSealer,
  type CredentialSealFailure,
  createCredentialSealer,
  createCredentialSealerFromKeys,
} from "./credentials.js";
export { toError } from "./errors.js";
export { freePort } from "./free-port.js";
export { exitOnFatal, Lifecycle } from "./lifecycle.js";
export { createLogger, type Logger, loggerOptions, redactPaths } from "./logger.js";
export { installModuleHooks } from "./module-hooks.js";
export { SERVICE_NODE_FLAGS } from "./node-flags.js";
export {
  type CheckReport,
  createMetricsRegistry,
  type HealthCheck,
  runChecks,
  startOpsServer,
} from "./ops-server.js";
export {
  contextFromTraceparent,
  inSpan,
  traceLogMixin,
  traceparentOf,
  tracer,
} from "./trace-context.js";
export { parseKeyValues, startTracing, type Tracing, type TracingConfig, tracesUrl } from "./tracing.js";
export { generateWebhookSecret, webhookSecretBinding } from "./webhook-secret.js";
export {
  checkWebhookUrl,
  createWebhookAddressGuard,
  type WebhookTarget,
  type WebhookTargetVerdict,
} from "./webhook-target.js";
