export type { JetStreamClient, JetStreamManager, JsMsg, PubAck } from "@nats-io/jetstream";
export { jetstream, jetstreamManager } from "@nats-io/jetstream";
export type { NatsConnection } from "@nats-io/transport-node";
export { connectNats } from "./connection.js";
export { registerConsumerLag } from "./consumer-lag.js";
export { type Decoded, decodeMessage, decodeOrTerm } from "./decode.js";
export { consumerConfigs, provisionStreams, streamConfigs } from "./provision.js";
export { publishJson } from "./publish.js";
export { redeliveryDelay } from "./redelivery-delay.js";
