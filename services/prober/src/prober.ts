import type { JsMsg } from "@headless-ops/bus";
import { type Priority, priorities } from "@headless-ops/contracts";
import { toError } from "@headless-ops/runtime";
import { decodeJob, handleJob, heartbeatMs, type JobHandlerDeps } from "./job-handler.js";
import { fetchIntake } from "./job-intake.js";

type Intake = {
  priority: Priority;
  iterator: AsyncIterator<JsMsg>;
  close: () => void;
  ready: JsMsg | undefined;
  /** Heartbeat of the ready message while it waits for room (the job ack wait is only 10 s). */
  readyBeat: NodeJS.Timeout | undefined;
  waiting: boolean;
  closed: boolean;
};

export type ProberOptions = Omit<JobHandlerDeps, "signal"> & {
  /** Devices probed at once by this replica (PROBER_CONCURRENCY). */
  concurrency: number;
  /** Job messages pulled ahead per priority; small, so other replicas and priorities are not starved. */
  prefetch?: number;
  /** How long one pull waits for jobs (also the longest a stop waits for a pull in flight). */
  fetchExpiresMs?: number;
  /** Jobs in flight including those waiting for their result publish ack. */
  maxJobs?: number;
};

/**
 * Pulls from the three shared durable consumers (prober-high/normal/low) and always starts the
 * highest-priority job available. At most one message per priority is taken off its iterator
 * ahead of need, and a new pull is made only once the last one's jobs were taken, so low jobs are not hoarded.
 * A job is admitted while the devices being probed stay under `concurrency`.
 */
export class Prober {
  private readonly abort = new AbortController();
  private readonly intakes: Intake[] = [];
  private readonly jobs = new Set<Promise<void>>();
  private admittedDevices = 0;
  private stopping = false;
  private idleWaiters: (() => void)[] = [];

  constructor(private readonly o: ProberOptions) {}

  async start(): Promise<void> {
    for (const priority of priorities) {
      const consumer = await this.o.js.consumers.get(
        this.o.names.streams.deviceJobs,
        this.o.names.consumers.prober(priority),
      );
      const pulls = fetchIntake(consumer, {
        batch: this.o.prefetch ?? 4,
        expiresMs: this.o.fetchExpiresMs ?? 2_000,
        log: this.o.log.child({ priority }),
      });
      const intake: Intake = {
        priority,
        iterator: pulls.iterator,
        close: pulls.close,
        ready: undefined,
        readyBeat: undefined,
        waiting: false,
        closed: false,
      };
      this.intakes.push(intake);
      this.arm(intake);
    }
  }

  /** Stops intake, hands back unstarted messages, waits for in-flight jobs; past the grace, aborts them (nak). */
  async stop(graceMs: number): Promise<void> {
    this.stopping = true;
    for (const intake of this.intakes) {
      intake.ready?.nak();
      takeReady(intake);
    }
    // Ask for no more jobs, then take what the pulls in flight still deliver and hand it back now
    // (nak), rather than leaving it to come back after its ack wait.
    for (const intake of this.intakes) intake.close();
    await Promise.allSettled(this.intakes.map((i) => drainAndNak(i.iterator)));
    const timer = setTimeout(() => {
      this.abort.abort();
      this.o.deadlines.expireAll();
    }, graceMs);
    await Promise.allSettled([...this.jobs]);
    clearTimeout(timer);
  }

  /** Resolves once nothing is in flight and nothing is ready (tests). */
  idle(): Promise<void> {
    if (this.jobs.size === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private arm(intake: Intake): void {
    if (intake.waiting || intake.ready || intake.closed || this.stopping) return;
    intake.waiting = true;
    intake.iterator.next().then(
      (r) => {
        intake.waiting = false;
        if (r.done) {
          intake.closed = true;
          return;
        }
        if (this.stopping) {
          r.value.nak();
          return;
        }
        const msg = r.value;
        intake.ready = msg;
        intake.readyBeat = setInterval(() => msg.working(), heartbeatMs());
        this.dispatch();
      },
      (err) => {
        intake.waiting = false;
        intake.closed = true;
        if (!this.stopping)
          this.o.log.error({ err: toError(err), priority: intake.priority }, "job intake failed");
      },
    );
  }

  private dispatch(): void {
    const maxJobs = this.o.maxJobs ?? 32;
    while (!this.stopping && this.jobs.size < maxJobs) {
      if (this.jobs.size > 0 && this.admittedDevices >= this.o.concurrency) return;
      const intake = this.intakes.find((i) => i.ready);
      if (!intake?.ready) return;
      const msg = takeReady(intake);
      this.arm(intake);
      const job = decodeJob(this.o, msg, intake.priority);
      if (!job) continue;
      const devices = job.devices.length;
      this.admittedDevices += devices;
      let released = false;
      const onProbed = () => {
        if (released) return;
        released = true;
        this.admittedDevices -= devices;
        this.dispatch();
      };
      const run = handleJob(
        { ...this.o, signal: this.abort.signal },
        msg,
        job,
        intake.priority,
        onProbed,
      ).finally(() => {
        onProbed();
        this.jobs.delete(run);
        if (this.jobs.size === 0) for (const w of this.idleWaiters.splice(0)) w();
        this.dispatch();
      });
      this.jobs.add(run);
    }
  }
}

/** Takes the ready message off its intake and stops its heartbeat. */
function takeReady(intake: Intake): JsMsg {
  const msg = intake.ready as JsMsg;
  clearInterval(intake.readyBeat);
  intake.ready = undefined;
  intake.readyBeat = undefined;
  return msg;
}

/**
 * Naks what is left on a closed intake until the iterator ends. Its end is queued behind the
 * buffered messages, so this terminates; the deadline only guards against a client that never ends it.
 */
async function drainAndNak(iterator: AsyncIterator<JsMsg>): Promise<void> {
  const deadline = Date.now() + 3_000;
  while (Date.now() < deadline) {
    let timer: NodeJS.Timeout | undefined;
    const r = await Promise.race([
      iterator.next(),
      new Promise<"timeout">((resolve) => {
        timer = setTimeout(() => resolve("timeout"), deadline - Date.now());
      }),
    ]);
    clearTimeout(timer);
    if (r === "timeout" || r.done) return;
    r.value.nak();
  }
}
