import { type JetStreamClient, publishBytes } from "@headless-ops/bus";
import {
  jobMsgId,
  type NatsNames,
  type Priority,
  type ProbeOptions,
  priorities,
  priorityRank,
  type StoredOperationRequest,
} from "@headless-ops/contracts";
import {
  advanceFanoutCursor,
  type FanoutPage,
  loadFanoutState,
  markFanoutDone,
  prepareFanoutSession,
  readFanoutPage,
  resetFanoutSession,
  tryLockFanout,
  unlockFanout,
} from "@headless-ops/db";
import type { Logger } from "@headless-ops/runtime";
import type pg from "pg";
import type { SchedulerMetrics } from "./metrics.js";

export type FanoutDeps = {
  pool: pg.Pool;
  js: JetStreamClient;
  names: NatsNames;
  log: Logger;
  metrics: SchedulerMetrics;
  /** Devices per job message. */
  batchSize: number;
  /** Ledger rows read per query. */
  pageSize: number;
  /** Pages whose publishes may be awaiting acks at once. */
  pagesInFlight?: number;
  signal: AbortSignal;
};

export type FanoutResult = "done" | "stopped" | "busy" | "skipped";

const encoder = new TextEncoder();

/** Well under NATS' default max_payload (1 MB): large simulation profiles shorten a job message. */
const MAX_JOB_MESSAGE_BYTES = 512 * 1024;

/**
 * Cuts a page into job messages of at most `batchSize` devices and about `maxBytes` of JSON.
 * Deterministic for the same page, so a republished page gets the same message ids.
 */
export function jobSlices(
  jobJson: readonly string[],
  batchSize: number,
  maxBytes: number,
): [number, number][] {
  const slices: [number, number][] = [];
  let from = 0;
  let bytes = 0;
  for (let i = 0; i < jobJson.length; i++) {
    const size = (jobJson[i]?.length ?? 0) + 1;
    if (i > from && (i - from >= batchSize || bytes + size > maxBytes)) {
      slices.push([from, i]);
      from = i;
      bytes = 0;
    }
    bytes += size;
  }
  if (from < jobJson.length) slices.push([from, jobJson.length]);
  return slices;
}

export function priorityOfRank(rank: number): Priority {
  return priorities.find((p) => priorityRank[p] === rank) ?? "normal";
}

/** The ProbeOptions of an operation's request (what probers need; never credentials). */
export function probeOptionsOf(request: StoredOperationRequest): ProbeOptions {
  return {
    update_firmware_info: request.options.update_firmware_info,
    validate_connectivity: request.options.validate_connectivity,
  };
}

/**
 * Streams one operation's jobs to `ops.job.<priority>`: reads the ledger after the cursor page by
 * page (never the whole operation), publishes FANOUT_BATCH_SIZE devices per message with many
 * publishes in flight, and advances the cursor once a page's publishes are acked. A session
 * advisory lock makes the fan-out single-writer across replicas; a crash resumes from the cursor.
 */
export async function fanOutOperation(deps: FanoutDeps, operationId: string): Promise<FanoutResult> {
  const client = await deps.pool.connect();
  let broken = false;
  // A checked-out pg client that loses its connection between queries (Postgres restarting while
  // the fan-out awaits publish acks) emits 'error'; unheard, that is an uncaught exception and the
  // scheduler dies. Heard, the next query fails, the fan-out stops and resumes from its cursor.
  const onError = (err: Error) => {
    broken = true;
    deps.log.warn({ err, operationId }, "fan-out database connection lost");
  };
  client.on("error", onError);
  try {
    if (!(await tryLockFanout(client, operationId))) return "busy";
    try {
      await prepareFanoutSession(client);
      return await streamJobs(deps, client, operationId);
    } finally {
      await resetFanoutSession(client).catch(() => {
        broken = true;
      });
      await unlockFanout(client, operationId).catch((err) => {
        broken = true;
        deps.log.warn({ err, operationId }, "fan-out unlock failed");
      });
    }
  } catch (err) {
    broken = true;
    throw err;
  } finally {
    // A connection that failed mid-fan-out is discarded, taking its advisory lock with it.
    client.off("error", onError);
    client.release(broken);
  }
}

async function streamJobs(
  deps: FanoutDeps,
  client: pg.PoolClient,
  operationId: string,
): Promise<FanoutResult> {
  const state = await loadFanoutState(client, operationId);
  if (state?.status !== "in_progress" || state.fanoutDone || state.cancelRequested) return "skipped";
  const log = deps.log.child({ operationId, round: state.dispatchRound });
  const priority = priorityOfRank(state.priority);
  const subject = deps.names.subjects.job(priority);
  const header =
    `{"v":1,"operation_id":"${operationId}","operation_type":${JSON.stringify(state.operationType)},` +
    `"attempt":${state.dispatchRound},"options":${JSON.stringify(probeOptionsOf(state.request))},"devices":[`;
  const window = deps.pagesInFlight ?? 3;
  const inFlight: { last: string; acks: Promise<unknown> }[] = [];
  const started = performance.now();
  let devices = 0;
  let messages = 0;

  // Settles the oldest page: its publishes acked, then the cursor moves past it.
  const settleOldest = async (): Promise<boolean> => {
    const page = inFlight.shift();
    if (!page) return true;
    await page.acks;
    return advanceFanoutCursor(client, operationId, state.dispatchRound, page.last);
  };

  let page: FanoutPage = await readFanoutPage(client, operationId, state.cursor, deps.pageSize);
  while (page.last !== undefined) {
    const last = page.last;
    const acks: Promise<unknown>[] = [];
    for (const [from, to] of jobSlices(page.jobJson, deps.batchSize, MAX_JOB_MESSAGE_BYTES - header.length)) {
      const msgId = jobMsgId(operationId, page.deviceIds[from] as string, state.dispatchRound);
      const body = `${header}${page.jobJson.slice(from, to).join(",")}]}`;
      acks.push(publishBytes(deps.js, subject, encoder.encode(body), msgId));
    }
    const all = Promise.all(acks);
    all.catch(() => undefined);
    inFlight.push({ last, acks: all });
    devices += page.deviceIds.length;
    messages += acks.length;
    deps.metrics.jobsPublished.inc({ priority }, acks.length);
    deps.metrics.devicesPublished.inc({ priority }, page.deviceIds.length);
    const next = readFanoutPage(client, operationId, last, deps.pageSize);
    next.catch(() => undefined);
    while (inFlight.length >= window) {
      if (!(await settleOldest())) return stop(log, inFlight, next, "operation cancelled, ended or requeued");
    }
    if (deps.signal.aborted) return stop(log, inFlight, next, "shutting down", settleOldest);
    page = await next;
  }
  while (inFlight.length > 0) {
    if (!(await settleOldest()))
      return stop(log, inFlight, undefined, "operation cancelled, ended or requeued");
  }
  await markFanoutDone(client, operationId, state.dispatchRound);
  const seconds = (performance.now() - started) / 1000;
  log.info({ devices, messages, seconds: Number(seconds.toFixed(3)) }, "fan-out done");
  return "done";
}

async function stop(
  log: Logger,
  inFlight: { acks: Promise<unknown> }[],
  next: Promise<unknown> | undefined,
  reason: string,
  settle?: () => Promise<boolean>,
): Promise<FanoutResult> {
  // On shutdown, pages already published get their cursor recorded so a restart does not redo them.
  if (settle) while (inFlight.length > 0 && (await settle())) {}
  await Promise.allSettled([next, ...inFlight.map((p) => p.acks)]);
  log.info({ reason }, "fan-out stopped");
  return "stopped";
}
