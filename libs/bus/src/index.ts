export type { JetStreamClient, JetStreamManager, JsMsg, PubAck } from "@nats-io/jetstream";
export { jetstream, jetstreamManager } from "@nats-io/jetstream";
export type { Msg, NatsConnection, Subscription } from "@nats-io/transport-node";
export { type ConnectNatsOptions, connectNats } from "./connection.js";
export {
  type NatsSettings,
  NatsSettingsError,
  natsConnectionOptions,
  natsServers,
  serversForLog,
} from "./connection-options.js";
export { registerConsumerLag } from "./consumer-lag.js";
export { type Decoded, decodeMessage, decodeOrTerm } from "./decode.js";
export { NATS_HELM_CHART_VERSION, NATS_PASSWORDS_SECRET, natsHelmAuthValues } from "./helm-auth-values.js";
export { consumerConfigs, provisionStreams, streamConfigs } from "./provision.js";
export {
  messageTraceContext,
  publishBytes,
  publishCoreJson,
  publishJson,
  TRACEPARENT_HEADER,
} from "./publish.js";
export { redeliveryDelay } from "./redelivery-delay.js";
export { natsServerConfig } from "./server-config.js";
export { type NatsUser, type NatsUserPermissions, natsPermissions, natsUsers } from "./server-permissions.js";
export { setUpStreams } from "./stream-setup.js";
