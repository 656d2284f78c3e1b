import { contextFromTraceparent, traceparentOf } from "@headless-ops/runtime";
import type { JetStreamClient, JsMsg, PubAck } from "@nats-io/jetstream";
import { headers, type NatsConnection } from "@nats-io/transport-node";

const encoder = new TextEncoder();

/** The W3C trace-context header carried by every message published while a span is active. */
export const TRACEPARENT_HEADER = "traceparent";

/**
 * Publishes bytes with a message id, so a republish inside the duplicate window is dropped. The one
 * place messages get trace context: the active span's `traceparent` (or `traceparent` given, e.g. the
 * one the outbox stored with its row) goes in a header; no span, no header.
 */
export function publishBytes(
  js: JetStreamClient,
  subject: string,
  data: Uint8Array,
  msgId: string,
  opts: { timeoutMs?: number; traceparent?: string | null } = {},
): Promise<PubAck> {
  const parent = opts.traceparent ?? traceparentOf();
  const hdrs = parent ? headers() : undefined;
  if (hdrs && parent) hdrs.set(TRACEPARENT_HEADER, parent);
  return js.publish(subject, data, {
    msgID: msgId,
    timeout: opts.timeoutMs ?? 10_000,
    ...(hdrs ? { headers: hdrs } : {}),
  });
}

/** Publishes JSON through `publishBytes`. */
export function publishJson(
  js: JetStreamClient,
  subject: string,
  payload: unknown,
  msgId: string,
  timeoutMs = 10_000,
  traceparent?: string | null,
): Promise<PubAck> {
  return publishBytes(js, subject, encoder.encode(JSON.stringify(payload)), msgId, {
    timeoutMs,
    traceparent,
  });
}

/** The one place trace context is read off a message: the context its publisher's span continues. */
export function messageTraceContext(msg: Pick<JsMsg, "headers">) {
  return contextFromTraceparent(msg.headers?.get(TRACEPARENT_HEADER));
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
