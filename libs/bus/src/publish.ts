import type { JetStreamClient, PubAck } from "@nats-io/jetstream";
import type { NatsConnection } from "@nats-io/transport-node";

const encoder = new TextEncoder();

/** Publishes JSON with a message id, so a republish inside the duplicate window is dropped. */
export function publishJson(
  js: JetStreamClient,
  subject: string,
  payload: unknown,
  msgId: string,
  timeoutMs = 10_000,
): Promise<PubAck> {
  return js.publish(subject, encoder.encode(JSON.stringify(payload)), {
    msgID: msgId,
    timeout: timeoutMs,
  });
}

/**
 * Publishes JSON on core NATS (no stream, no ack): for lossy events that carry absolute values, such
 * as progress, where the next one supersedes a dropped one. Never throws on a closed connection.
 */
export function publishCoreJson(nc: NatsConnection, subject: string, payload: unknown): boolean {
  if (nc.isClosed()) return false;
  try {
    nc.publish(subject, encoder.encode(JSON.stringify(payload)));
    return true;
  } catch {
    return false;
  }
}
