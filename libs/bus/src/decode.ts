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
