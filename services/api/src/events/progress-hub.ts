import type { NatsConnection, Subscription } from "@headless-ops/bus";
import { natsNames, OperationProgressEvent } from "@headless-ops/contracts";
import type { Logger } from "@headless-ops/runtime";
import type pg from "pg";
import { OPERATION_COLUMNS, type OperationRow } from "../operations/operation-view.js";
import { type RawOperationRow, readOperationRow } from "../operations/query.js";

/** What a stream hears about an operation: a progress event (lossy, fast) or its row (polled). */
export type LiveUpdate =
  | { kind: "progress"; event: OperationProgressEvent }
  | { kind: "row"; row: OperationRow };
export type LiveListener = (update: LiveUpdate) => void;

export type ProgressHubOptions = {
  pool: pg.Pool;
  nats: () => NatsConnection | undefined;
  natsPrefix: string;
  pollMs: number;
  log: Logger;
};

/** Rows re-read by the list poll before its watermark: a fold transaction that commits late is still seen. */
const LIST_OVERLAP_MS = 10_000;
const POLL_LIMIT = 1_000;
const MAX_RATES = 10_000;

/**
 * The API replica's one source of live updates, shared by all its streams. It subscribes ONCE to
 * `ops.progress.*` (core NATS), whatever the number of clients, and fans each event out to the
 * streams of that operation. Changes no progress event announces (a cancel, a timeout, the terminal
 * row with `finished_at`, a dropped event, a new operation for the list) come from one query per
 * replica every SSE_POLL_MS, run only while streams are open; a terminal progress event runs it at once.
 */
export class ProgressHub {
  private readonly byOperation = new Map<string, Set<LiveListener>>();
  private readonly listListeners = new Set<LiveListener>();
  private readonly enders = new Set<() => void>();
  private readonly rates = new Map<string, number | null>();
  private subscription: { nc: NatsConnection; sub: Subscription } | undefined;
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private watermark: number | undefined;
  private stopped = false;
  private readonly names;

  constructor(private readonly opts: ProgressHubOptions) {
    this.names = natsNames(opts.natsPrefix);
  }

  /** Open streams on this replica (per-operation and list). */
  get streams(): number {
    let n = this.listListeners.size;
    for (const set of this.byOperation.values()) n += set.size;
    return n;
  }

  /** NATS subscriptions held: 1 once connected and a stream has opened, whatever the number of streams. */
  get natsSubscriptions(): number {
    return this.subscription && !this.subscription.sub.isClosed() ? 1 : 0;
  }

  /** The last rate a progress event gave for the operation, or null. */
  rateOf(operationId: string): number | null {
    return this.rates.get(operationId) ?? null;
  }

  watch(operationId: string, listener: LiveListener): () => void {
    let set = this.byOperation.get(operationId);
    if (!set) {
      set = new Set();
      this.byOperation.set(operationId, set);
    }
    set.add(listener);
    this.ensureRunning();
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.byOperation.get(operationId) === set) this.byOperation.delete(operationId);
    };
  }

  /** Every change the replica hears of; the listener filters by its token's organizations. */
  watchAll(listener: LiveListener): () => void {
    this.listListeners.add(listener);
    this.ensureRunning();
    return () => this.listListeners.delete(listener);
  }

  /** A stream to end when the server closes (SIGTERM): open streams would otherwise hold it open. */
  track(end: () => void): () => void {
    this.enders.add(end);
    return () => this.enders.delete(end);
  }

  /** Ends every tracked stream (clients reconnect to another replica and get a fresh snapshot). */
  endStreams(): void {
    for (const end of [...this.enders]) end();
  }

  /** Polls now (a terminal event was heard: the final row should reach the streams quickly). */
  wake(): void {
    if (this.stopped || this.polling) return;
    this.schedule(0);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.endStreams();
    clearTimeout(this.timer);
    this.subscription?.sub.unsubscribe();
    this.subscription = undefined;
    await this.polling;
  }

  private ensureRunning(): void {
    this.subscribe();
    if (!this.timer && !this.polling && !this.stopped) this.schedule(this.opts.pollMs);
  }

  /** Subscribes once per connection; called again on each poll, so a later NATS connect is picked up. */
  private subscribe(): void {
    const nc = this.opts.nats();
    if (this.stopped || !nc || nc.isClosed() || this.subscription?.nc === nc) return;
    const sub = nc.subscribe(this.names.subjects.progressAll, {
      callback: (err, msg) => {
        if (err) return;
        const parsed = OperationProgressEvent.safeParse(safeJson(msg.data));
        if (parsed.success) this.dispatchProgress(parsed.data);
        else this.opts.log.warn({ subject: msg.subject }, "invalid progress event dropped");
      },
    });
    this.subscription = { nc, sub };
  }

  private dispatchProgress(event: OperationProgressEvent): void {
    this.rates.set(event.operation_id, event.devices_per_second);
    const update: LiveUpdate = { kind: "progress", event };
    for (const listener of this.byOperation.get(event.operation_id) ?? []) listener(update);
    for (const listener of this.listListeners) listener(update);
    if (event.status !== "in_progress" && event.status !== "scheduled") this.wake();
  }

  private schedule(delayMs: number): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.polling = this.poll()
        .catch((err) => this.opts.log.warn({ err }, "live progress poll failed"))
        .finally(() => {
          this.polling = undefined;
          if (!this.stopped && this.streams > 0) this.schedule(this.opts.pollMs);
        });
    }, delayMs);
    this.timer.unref();
  }

  /** One query for every watched operation and, when a list stream is open, every recent change. */
  private async poll(): Promise<void> {
    this.subscribe();
    const ids = [...this.byOperation.keys()];
    const list = this.listListeners.size > 0;
    if (ids.length === 0 && !list) return;
    const since = new Date((this.watermark ?? Date.now()) - LIST_OVERLAP_MS);
    const res = await this.opts.pool.query<RawOperationRow>(
      `SELECT ${OPERATION_COLUMNS} FROM operations
        WHERE id = ANY($1::bigint[]) OR ($2::boolean AND updated_at > $3)
        ORDER BY updated_at LIMIT ${POLL_LIMIT}`,
      [ids, list, since],
    );
    for (const raw of res.rows) this.dispatchRow(readOperationRow(raw));
    // Rates of operations nobody watches any more are forgotten; a live one is set again by its next event.
    if (this.rates.size > MAX_RATES) this.rates.clear();
  }

  /**
   * Every polled row goes to every interested stream, which keeps it only when it is newer than what
   * it showed: deduplicating here could hide a row from a stream whose snapshot was read just before.
   */
  private dispatchRow(row: OperationRow): void {
    const at = row.updated_at.getTime();
    this.watermark = Math.max(this.watermark ?? at, at);
    const update: LiveUpdate = { kind: "row", row };
    for (const listener of this.byOperation.get(row.id) ?? []) listener(update);
    for (const listener of this.listListeners) listener(update);
  }
}

function safeJson(data: Uint8Array): unknown {
  try {
    return JSON.parse(new TextDecoder().decode(data));
  } catch {
    return undefined;
  }
}
