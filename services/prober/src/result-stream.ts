import type { DeviceResult } from "@headless-ops/contracts";

/**
 * Publishes a job's results in parts while the job runs: a part goes out `flushMs` after the first
 * result waiting in it, so an operation's progress moves with its slow devices instead of jumping
 * once per job. Fast jobs finish inside one interval and send a single message, as before.
 * Each part's message ids are derived from the devices it carries (`resultMessages`), so a republish
 * of the same part is de-duplicated while a retried job whose parts split differently loses nothing;
 * a duplicate that slips through changes nothing in the database (the fold is idempotent).
 */
export class ResultStream {
  private pending: DeviceResult[] = [];
  private timer: NodeJS.Timeout | undefined;
  private readonly inFlight: Promise<void>[] = [];

  constructor(
    /** Publishes one part. */
    private readonly publish: (results: DeviceResult[]) => Promise<void>,
    private readonly flushMs: number,
  ) {}

  add(result: DeviceResult): void {
    this.pending.push(result);
    this.timer ??= setTimeout(() => this.flush(), this.flushMs);
  }

  /** Publishes what is left and resolves once every part's publish is acknowledged. */
  async finish(rest: DeviceResult[] = []): Promise<void> {
    this.stop();
    const last = [...this.pending, ...rest];
    this.pending = [];
    await Promise.all(this.inFlight);
    if (last.length > 0) await this.publish(last);
  }

  /** Stops flushing (the job is being handed back); parts already sent stay sent. */
  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private flush(): void {
    this.timer = undefined;
    const part = this.pending;
    this.pending = [];
    if (part.length === 0) return;
    const sent = this.publish(part);
    // A failed part fails the job at finish(); keep the rejection from being unhandled meanwhile.
    sent.catch(() => undefined);
    this.inFlight.push(sent);
  }
}
