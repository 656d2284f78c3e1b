import { type JetStreamClient, publishJson } from "@headless-ops/bus";
import { withTransaction } from "@headless-ops/db";
import { contextFromTraceparent, inSpan, type Logger } from "@headless-ops/runtime";
import type pg from "pg";

type OutboxRow = {
  id: string;
  subject: string;
  msg_id: string;
  payload: unknown;
  traceparent: string | null;
};

export type RelayOptions = {
  pool: pg.Pool;
  /** The JetStream client, or undefined while NATS is not connected (the relay then waits). */
  jetstream: () => JetStreamClient | undefined;
  log: Logger;
  intervalMs: number;
  batchSize: number;
  publishTimeoutMs: number;
};

/**
 * Publishes outbox rows. Each pass claims unsent rows with `FOR UPDATE SKIP LOCKED` (never "id >
 * last seen", which skips rows of transactions that commit late), publishes them with their message
 * id, marks the acked ones sent and counts an attempt on the others, then commits. Two relays never
 * hold the same row; a crash between publish and commit republishes, and JetStream's duplicate
 * window drops the copy, so each event reaches consumers once.
 */
export class OutboxRelay {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = false;

  constructor(private readonly opts: RelayOptions) {}

  start(): void {
    this.stopped = false;
    this.schedule(0);
  }

  /** Runs a pass soon (after a POST), instead of waiting for the next tick. */
  wake(): void {
    if (this.stopped) return;
    if (this.running) this.again = true;
    else this.schedule(0);
  }

  /** One pass; resolves with the number of events published. Exposed for tests. */
  async relayOnce(): Promise<number> {
    const js = this.opts.jetstream();
    if (!js) return 0;
    return withTransaction(this.opts.pool, async (client) => {
      const claimed = await client.query<OutboxRow>(
        `SELECT id, subject, msg_id, payload, traceparent FROM outbox WHERE sent_at IS NULL
          ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
        [this.opts.batchSize],
      );
      if (claimed.rows.length === 0) return 0;
      const results = await Promise.allSettled(claimed.rows.map((row) => this.publishRow(js, row)));
      const sent = claimed.rows.filter((_, i) => results[i]?.status === "fulfilled").map((r) => r.id);
      const failed = claimed.rows.filter((_, i) => results[i]?.status === "rejected").map((r) => r.id);
      if (sent.length > 0) {
        await client.query(
          "UPDATE outbox SET sent_at = now(), attempts = attempts + 1 WHERE id = ANY($1::bigint[])",
          [sent],
        );
      }
      if (failed.length > 0) {
        await client.query("UPDATE outbox SET attempts = attempts + 1 WHERE id = ANY($1::bigint[])", [
          failed,
        ]);
        const first = results.find((r) => r.status === "rejected") as PromiseRejectedResult | undefined;
        this.opts.log.warn(
          { failed: failed.length, err: first?.reason },
          "outbox publish failed, will retry",
        );
      }
      if (sent.length > 0) this.opts.log.debug({ sent: sent.length }, "outbox events published");
      return sent.length;
    });
  }

  /** Publishes one row in a span continuing the trace of the request that wrote it (no trace: no span). */
  private publishRow(js: JetStreamClient, row: OutboxRow): Promise<unknown> {
    const publish = () => publishJson(js, row.subject, row.payload, row.msg_id, this.opts.publishTimeoutMs);
    if (!row.traceparent) return publish();
    const attributes = { "messaging.destination.name": row.subject, "messaging.message.id": row.msg_id };
    return inSpan("outbox publish", contextFromTraceparent(row.traceparent), attributes, publish);
  }

  /** Stops the loop and waits for a pass in flight. Idempotent. */
  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.tick(), delayMs);
    this.timer.unref();
  }

  private tick(): void {
    if (this.stopped || this.running) return;
    this.running = (async () => {
      let full = false;
      try {
        const sent = await this.relayOnce();
        full = sent >= this.opts.batchSize;
      } catch (err) {
        this.opts.log.warn({ err }, "outbox relay pass failed");
      }
      this.running = undefined;
      const soon = full || this.again;
      this.again = false;
      if (!this.stopped) this.schedule(soon ? 0 : this.opts.intervalMs);
    })();
  }
}
