import type { JetStreamClient, PubAck } from "@nats-io/jetstream";

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
