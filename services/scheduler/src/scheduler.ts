import type { JetStreamClient } from "@headless-ops/bus";
import type { NatsNames } from "@headless-ops/contracts";
import {
  claimDueOperation,
  finalizeOperations,
  fireDueSchedules,
  msUntilNextDue,
  msUntilNextFiring,
  unfinishedFanouts,
  withTransaction,
} from "@headless-ops/db";
import { contextFromTraceparent, inSpan, type Logger, toError } from "@headless-ops/runtime";
import type pg from "pg";
import { fanOutOperation } from "./fanout.js";
import type { SchedulerMetrics } from "./metrics.js";

export type SchedulerOptions = {
  pool: pg.Pool;
  js: JetStreamClient;
  names: NatsNames;
  /** NATS_PREFIX: the outbox rows the claim and the schedule firings write carry its subjects. */
  natsPrefix: string;
  log: Logger;
  metrics: SchedulerMetrics;
  sweepMs: number;
  batchSize: number;
  pageSize: number;
  fanoutConcurrency: number;
  /** Runs on every sweep: ends operations past their timeout (libs/db status helper). */
  enforceTimeouts?: (pool: pg.Pool) => Promise<unknown>;
  /** The clock schedules fire by (tests inject a fixed one); the claim is judged by the database clock. */
  now?: () => Date;
};

/**
 * Wakes on `operation.created`, on a timer for the next due operation and on a periodic sweep;
 * claims due operations by priority, then fans them out (a bounded number at a time), resumes
 * unfinished fan-outs and enforces timeouts. Each pass first fires the due schedules. Passes never overlap within one replica.
 */
export class Scheduler {
  private readonly abort = new AbortController();
  private readonly active = new Map<string, Promise<void>>();
  private sweepTimer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private again = false;

  constructor(private readonly o: SchedulerOptions) {}

  start(): void {
    this.sweepTimer = setInterval(() => this.wake(), this.o.sweepMs);
    this.wake();
  }

  /** Requests a pass as soon as possible; calls during a pass coalesce into one more pass. */
  wake(): void {
    if (this.abort.signal.aborted) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((err) => this.o.log.error({ err: toError(err) }, "scheduler pass failed"))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.wake();
        }
      });
  }

  /** Stops timers, lets running fan-outs record their cursor and stop. */
  async stop(): Promise<void> {
    this.abort.abort();
    clearInterval(this.sweepTimer);
    clearTimeout(this.dueTimer);
    await this.running;
    await Promise.allSettled([...this.active.values()]);
  }

  /** Resolves when no pass and no fan-out runs (tests). */
  async idle(): Promise<void> {
    while (this.running || this.active.size > 0) {
      await Promise.allSettled([this.running, ...this.active.values()]);
    }
  }

  /** Creates the operations of due schedule firings (exactly once each, across replicas). */
  private async fireSchedules(): Promise<void> {
    const now = this.o.now?.() ?? new Date();
    let fired: Awaited<ReturnType<typeof fireDueSchedules>>;
    try {
      fired = await fireDueSchedules(this.o.pool, this.o.natsPrefix, now);
    } catch (err) {
      // Firing is retried on the next pass; it must never hold back the claims of due operations.
      this.o.log.error({ err: toError(err) }, "schedule firing failed");
      return;
    }
    for (const f of fired) {
      this.o.metrics.scheduleFirings.inc({ result: f.result });
      const fields = { scheduleId: f.scheduleId, fireAt: f.fireAt.toISOString(), operationId: f.operationId };
      if (f.result === "fired") this.o.log.info(fields, "schedule fired");
      else this.o.log.warn({ ...fields, result: f.result }, "schedule firing skipped");
    }
  }

  private async pass(): Promise<void> {
    await this.fireSchedules();
    while (!this.abort.signal.aborted) {
      const claimed = await withTransaction(this.o.pool, async (client) => {
        const op = await claimDueOperation(client, this.o.natsPrefix);
        if (op && op.totalDevices === 0) await finalizeOperations(client, [op.id], this.o.natsPrefix);
        return op;
      });
      if (!claimed) break;
      if (claimed.invalidRequest) {
        this.o.log.error(
          { operationId: claimed.id, reason: claimed.invalidRequest },
          "stored request invalid, operation failed",
        );
        continue;
      }
      this.o.metrics.operationsClaimed.inc();
      this.o.log.info({ operationId: claimed.id, devices: claimed.totalDevices }, "operation claimed");
      if (claimed.totalDevices > 0) this.startFanout(claimed.id, claimed.traceparent);
    }
    if (this.abort.signal.aborted) return;
    if (this.active.size < this.o.fanoutConcurrency) {
      for (const op of await unfinishedFanouts(this.o.pool, 100)) this.startFanout(op.id, op.traceparent);
    }
    if (this.o.enforceTimeouts) await this.o.enforceTimeouts(this.o.pool);
    const nextDue = await msUntilNextDue(this.o.pool);
    const nextFiring = await msUntilNextFiring(this.o.pool, this.o.now?.() ?? new Date());
    this.armDueTimer(
      nextDue === null ? nextFiring : nextFiring === null ? nextDue : Math.min(nextDue, nextFiring),
    );
  }

  private armDueTimer(ms: number | null): void {
    clearTimeout(this.dueTimer);
    if (ms === null || ms >= this.o.sweepMs || this.abort.signal.aborted) return;
    // A few ms late rather than early: the claim is judged by the database clock.
    this.dueTimer = setTimeout(() => this.wake(), ms + 5);
  }

  /**
   * Fans an operation out in the trace stored with it (the creating request's), so the trace is the
   * same whichever replica claims or resumes it, after a restart too, and for every requeue round.
   */
  private startFanout(operationId: string, traceparent: string | null): void {
    if (this.active.has(operationId) || this.active.size >= this.o.fanoutConcurrency) return;
    const log = this.o.log.child({ operationId });
    let finished = false;
    const parent = contextFromTraceparent(traceparent);
    const run = inSpan("fan-out", parent, { "operation.id": operationId }, () =>
      fanOutOperation(
        {
          pool: this.o.pool,
          js: this.o.js,
          names: this.o.names,
          log: this.o.log,
          metrics: this.o.metrics,
          batchSize: this.o.batchSize,
          pageSize: this.o.pageSize,
          signal: this.abort.signal,
        },
        operationId,
      ),
    )
      .then((result) => {
        if (result === "busy") log.debug({}, "fan-out held by another replica");
        finished = result === "done";
      })
      .catch((err) => {
        this.o.metrics.fanoutErrors.inc();
        log.error({ err: toError(err) }, "fan-out failed; resumes from its cursor on the next sweep");
      })
      .finally(() => {
        this.active.delete(operationId);
        this.o.metrics.fanoutsActive.set(this.active.size);
        // A slot is free: deferred fan-outs need not wait for the next sweep.
        if (finished && !this.abort.signal.aborted) this.wake();
      });
    this.active.set(operationId, run);
    this.o.metrics.fanoutsActive.set(this.active.size);
  }
}
