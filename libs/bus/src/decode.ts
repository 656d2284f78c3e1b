import type { Logger } from "@headless-ops/runtime";
import type { JsMsg } from "@nats-io/jetstream";
import type { z } from "zod";

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * Parses a message with its contract schema. `msg.json()` is only a cast: this is the check.
 * On failure the caller terms the message and logs the reason.
 */
export function decodeMessage<S extends z.ZodType>(msg: JsMsg, schema: S): Decoded<z.infer<S>> {
  let raw: unknown;
  try {
    raw = msg.json();
  } catch {
    return { ok: false, reason: "not JSON" };
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const first = parsed.error.issues.slice(0, 5).map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return { ok: false, reason: `invalid event: ${first.join("; ")}` };
  }
  return { ok: true, value: parsed.data };
}

/**
 * Decodes a message, or terminates it: an invalid message never becomes valid, so redelivering it
 * would only spend the consumer's deliveries. Logs `invalid <what> terminated` with the reason.
 */
export function decodeOrTerm<S extends z.ZodType>(
  msg: JsMsg,
  schema: S,
  log: Pick<Logger, "warn">,
  what: string,
): z.infer<S> | undefined {
  const decoded = decodeMessage(msg, schema);
  if (decoded.ok) return decoded.value;
  log.warn({ seq: msg.seq, subject: msg.subject, reason: decoded.reason }, `invalid ${what} terminated`);
  // No reason argument: nats-server 2.9 ignores `+TERM <reason>` and redelivers the message.
  msg.term();
  return undefined;
}
