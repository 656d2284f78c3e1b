import {
  decodeOrTerm,
  type JetStreamClient,
  type JsMsg,
  messageTraceContext,
  publishBytes,
  redeliveryDelay,
} from "@headless-ops/bus";
import {
  contracts,
  type DeviceJobBatch,
  type DeviceResult,
  jobMsgId,
  type NatsNames,
  type Priority,
} from "@headless-ops/contracts";
import { inSpan, type Logger, toError } from "@headless-ops/runtime";
import { isoNow } from "./clock.js";
import type { DeadlineSlices } from "./deadlines.js";
import type { ProbeOutcome } from "./drivers/driver.js";
import type { DriverRegistry } from "./drivers/registry.js";
import type { ProberMetrics } from "./metrics.js";
import type { OperationStatusCache } from "./operation-status-cache.js";
import { type ProbePolicy, probeDevice } from "./probe-device.js";
import { probeNeedsFor } from "./probe-needs.js";
import type { RateLimiter } from "./rate-limiter.js";
import { resultMessages } from "./result-messages.js";
import { ResultStream } from "./result-stream.js";
import type { Semaphore } from "./semaphore.js";

export type JobHandlerDeps = {
  js: JetStreamClient;
  names: NatsNames;
  log: Logger;
  metrics: ProberMetrics;
  drivers: DriverRegistry;
  policy: ProbePolicy;
  slots: Semaphore;
  deadlines: DeadlineSlices;
  statuses: OperationStatusCache;
  /** Holds devices of rate-limited operations until the shared bucket grants them a start. */
  limiter: RateLimiter;
  /** Aborted on forced shutdown: probes stop and the job is handed back (nak). */
  signal: AbortSignal;
  /** First delay before a nak'ed job is redelivered (doubles per delivery, capped). */
  nakDelayMs?: number;
  /** Results of a running job go out at most this long after they are known (PROBER_RESULT_FLUSH_MS). */
  resultFlushMs?: number;
};

/** Parses a job message; an invalid one is terminated and logged (never retried). */
export function decodeJob(
  deps: Pick<JobHandlerDeps, "log" | "metrics">,
  msg: JsMsg,
  priority: Priority,
): DeviceJobBatch | undefined {
  const job = decodeOrTerm(msg, contracts.deviceJobs.schema, deps.log, "job");
  if (!job) deps.metrics.jobs.inc({ priority, result: "term" });
  return job;
}

/**
 * Handles one job message: skip (cancelled operation) or probe each device under the replica's
 * concurrency bound, publish the results (in parts while a slow job runs, each named by its devices:
 * `resultMsgId`), and ack the job only once every result publish is acked. Infrastructure trouble → nak with delay; invalid → term.
 */
export function handleJob(
  deps: JobHandlerDeps,
  msg: JsMsg,
  job: DeviceJobBatch,
  priority: Priority,
  onProbed: () => void = () => undefined,
): Promise<void> {
  // The job continues the fan-out's trace; result messages published inside carry this span.
  const attributes = { "operation.id": job.operation_id, "job.devices": job.devices.length, priority };
  return inSpan("probe job", messageTraceContext(msg), attributes, () =>
    runJob(deps, msg, job, priority, onProbed),
  );
}

async function runJob(
  deps: JobHandlerDeps,
  msg: JsMsg,
  job: DeviceJobBatch,
  priority: Priority,
  onProbed: () => void,
): Promise<void> {
  // The id the scheduler published this job under (devices has at least one entry).
  const jobId = jobMsgId(job.operation_id, job.devices[0]?.device_id ?? "", job.attempt);
  const log = deps.log.child({ operationId: job.operation_id, jobId });
  // Keeps the job ours while a long batch runs: the ack wait is short (10 s) so a killed prober's
  // jobs come back quickly; three heartbeats per ack wait survive one late timer.
  const heartbeat = setInterval(() => msg.working(), heartbeatMs());
  let stream: ResultStream | undefined;
  try {
    const { skip, maxDevicesPerSecond } = await deps.statuses.policyOf(job.operation_id);
    stream = new ResultStream(async (part) => {
      const messages = resultMessages(job, jobId, part);
      await Promise.all(
        messages.map((m) => publishBytes(deps.js, deps.names.subjects.result, m.data, m.msgId)),
      );
      deps.metrics.resultsPublished.inc(messages.length);
    }, deps.resultFlushMs ?? 1_000);
    const results = skip ? cancelledResults(job) : await probeAll(deps, job, stream, maxDevicesPerSecond);
    onProbed();
    if (deps.signal.aborted) throw new Error("shutting down before the job finished");
    await stream.finish(skip ? results : []);
    msg.ack();
    deps.metrics.jobs.inc({ priority, result: "acked" });
    const outcomes = { succeeded: 0, failed: 0, cancelled: 0 };
    for (const r of results) outcomes[r.outcome] += 1;
    for (const [outcome, n] of Object.entries(outcomes)) if (n > 0) deps.metrics.devices.inc({ outcome }, n);
    if (skip) log.info({ devices: results.length }, "job of a cancelled operation skipped");
  } catch (err) {
    stream?.stop();
    onProbed();
    msg.nak(redeliveryDelay(msg, deps.nakDelayMs ?? 1_000));
    deps.metrics.jobs.inc({ priority, result: "nak" });
    log.warn({ err: toError(err) }, "job handed back for redelivery");
  } finally {
    clearInterval(heartbeat);
  }
}

/** Progress interval of a held job message: a third of the job ack wait (at least 1 s). */
export function heartbeatMs(): number {
  return Math.max(1_000, Math.floor(contracts.deviceJobs.ackWaitMs / 3));
}

function cancelledResults(job: DeviceJobBatch): DeviceResult[] {
  return job.devices.map((d) => cancelledResult(d.device_id));
}

function cancelledResult(deviceId: string): DeviceResult {
  const now = isoNow();
  return { device_id: deviceId, outcome: "cancelled", attempts: 1, started_at: now, finished_at: now };
}

/**
 * Each device waits for a token of the operation's shared bucket, then is probed. A slow limit can
 * keep devices waiting long: the operation's status is re-read (through the cache) every second
 * while they wait, and once it is cancelled or ended the devices still waiting are reported
 * `cancelled` at once instead of being paced out.
 */
async function probeWithinLimit(
  deps: JobHandlerDeps,
  job: DeviceJobBatch,
  rate: number,
  probe: (device: DeviceJobBatch["devices"][number]) => Promise<DeviceResult>,
  stream: ResultStream,
): Promise<DeviceResult[]> {
  const waits = new AbortController();
  const stop = () => waits.abort();
  deps.signal.addEventListener("abort", stop, { once: true });
  const watch = setInterval(async () => {
    if ((await deps.statuses.policyOf(job.operation_id)).skip) waits.abort();
  }, 1_000);
  try {
    return await Promise.all(
      job.devices.map(async (device) => {
        try {
          await deps.limiter.acquire(job.operation_id, rate, waits.signal);
        } catch (err) {
          if (deps.signal.aborted) throw err;
          const result = cancelledResult(device.device_id);
          stream.add(result);
          return result;
        }
        return probe(device);
      }),
    );
  } finally {
    clearInterval(watch);
    deps.signal.removeEventListener("abort", stop);
  }
}

async function probeAll(
  deps: JobHandlerDeps,
  job: DeviceJobBatch,
  stream: ResultStream,
  maxDevicesPerSecond: number | null,
): Promise<DeviceResult[]> {
  // Attempt counters are summed per job and added once: per-device label lookups are measurable.
  const attempts = new Map<string, number>();
  const ctx = {
    drivers: deps.drivers,
    policy: deps.policy,
    deadlines: deps.deadlines,
    operationType: job.operation_type,
    options: job.options,
    needs: probeNeedsFor(job.operation_type, job.options),
    signal: deps.signal,
    onAttempt: (outcome: ProbeOutcome, seconds: number) => {
      const key = outcome.ok ? "" : outcome.code;
      attempts.set(key, (attempts.get(key) ?? 0) + 1);
      deps.metrics.probeSeconds.observe(seconds);
    },
  };
  deps.metrics.devicesInFlight.inc(job.devices.length);
  try {
    const probe = (device: (typeof job.devices)[number]) =>
      deps.slots.run(async () => {
        const result = await probeDevice(ctx, device);
        stream.add(result);
        return result;
      });
    // A device waits for its token before it takes a concurrency slot, so a slow limit does not
    // idle the slots of other operations' jobs. Unlimited operations take the direct path.
    const rate = maxDevicesPerSecond;
    if (rate === null) return await Promise.all(job.devices.map(probe));
    return await probeWithinLimit(deps, job, rate, probe, stream);
  } finally {
    deps.metrics.devicesInFlight.dec(job.devices.length);
    for (const [code, n] of attempts) {
      deps.metrics.probes.inc({ outcome: code ? "failed" : "succeeded", error_code: code }, n);
    }
  }
}
