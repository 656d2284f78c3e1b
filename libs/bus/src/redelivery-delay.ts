import type { JsMsg } from "@nats-io/jetstream";

/**
 * Delay before a handed-back message comes again: doubling per delivery from `baseMs`, capped, so a
 * long outage (Postgres, NATS) spends the consumer's max deliveries over many minutes, not seconds.
 */
export function redeliveryDelay(msg: JsMsg, baseMs: number, capMs = 30_000): number {
  const deliveries = Math.max(1, msg.info?.deliveryCount ?? 1);
  return Math.min(capMs, baseMs * 2 ** Math.min(deliveries - 1, 16));
}
