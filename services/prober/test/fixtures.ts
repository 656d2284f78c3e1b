import { publishJson } from "@headless-ops/bus";
import type { DeviceJobBatch, DeviceResultBatch, JobDevice, Priority } from "@headless-ops/contracts";
import { startWorkerEnv, type WorkerTestEnv } from "@headless-ops/testkit";
import type { Worker } from "@headless-ops/worker";
import { buildProber } from "../src/build-prober.js";

export type Env = WorkerTestEnv;

/** Fast retries and status reads; a stop waits at most 1 s for probes in flight (grace − 3 s). */
export function startEnv(): Promise<Env> {
  return startWorkerEnv("prober-test", {
    env: { PROBE_RETRY_BACKOFF_MS: "5", PROBER_STATUS_CACHE_MS: "100", SHUTDOWN_GRACE_MS: "4000" },
  });
}

/** A prober replica built as `main.ts` builds it, with the config changed by `opts`. */
export function newProber(
  env: Env,
  opts: {
    concurrency?: number;
    maxAttempts?: number;
    timeoutMs?: number;
    prefetch?: number;
    resultFlushMs?: number;
  } = {},
): Worker {
  const deps = env.deps({
    ...env.config,
    PROBER_CONCURRENCY: opts.concurrency ?? 64,
    PROBE_MAX_ATTEMPTS: opts.maxAttempts ?? 3,
    PROBE_TIMEOUT_MS: opts.timeoutMs ?? 2_000,
    PROBER_RESULT_FLUSH_MS: opts.resultFlushMs ?? 1_000,
  });
  return buildProber(deps, { prefetch: opts.prefetch ?? 4 });
}

/** An operation row the status cache can read (organization 101 must exist). */
export async function createOperationRow(env: Env, cancelled = false): Promise<string> {
  await env.db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme') ON CONFLICT DO NOTHING");
  const res = await env.db.pool.query<{ id: string }>(
    `INSERT INTO operations (operation_type, status, organization_ids, request, scheduled_for, cancel_requested_at)
     VALUES ('bulk_serial_sync', 'in_progress', '{101}', '{}', now(), CASE WHEN $1 THEN now() END) RETURNING id`,
    [cancelled],
  );
  return res.rows[0]?.id as string;
}

export async function publishJob(
  env: Env,
  operationId: string,
  devices: JobDevice[],
  priority: Priority = "normal",
  operationType: DeviceJobBatch["operation_type"] = "bulk_serial_sync",
): Promise<void> {
  const job: DeviceJobBatch = {
    v: 1,
    operation_id: operationId,
    operation_type: operationType,
    attempt: 1,
    options: { update_firmware_info: true, validate_connectivity: true },
    devices,
  };
  await publishJson(
    env.js,
    env.names.subjects.job(priority),
    job,
    `job-${operationId}-${devices[0]?.device_id}-r1`,
  );
}

/** Reads result messages from the start of the results stream until `count` have arrived. */
export async function readResults(env: Env, count: number, timeoutMs = 15_000): Promise<DeviceResultBatch[]> {
  const consumer = await env.js.consumers.get(env.names.streams.deviceResults);
  const out: DeviceResultBatch[] = [];
  const messages = await consumer.consume();
  const timer = setTimeout(() => void messages.close(), timeoutMs);
  for await (const m of messages) {
    out.push(m.json<DeviceResultBatch>());
    if (out.length >= count) break;
  }
  clearTimeout(timer);
  await messages.close();
  return out;
}

/** Result batches of one operation, in stream order, until `devices` results of it have arrived. */
export async function readOperationResults(
  env: Env,
  operationId: string,
  devices: number,
  timeoutMs = 15_000,
): Promise<DeviceResultBatch[]> {
  const consumer = await env.js.consumers.get(env.names.streams.deviceResults);
  const out: DeviceResultBatch[] = [];
  let seen = 0;
  const messages = await consumer.consume();
  const timer = setTimeout(() => void messages.close(), timeoutMs);
  for await (const m of messages) {
    const batch = m.json<DeviceResultBatch>();
    if (batch.operation_id !== operationId) continue;
    out.push(batch);
    seen += batch.results.length;
    if (seen >= devices) break;
  }
  clearTimeout(timer);
  await messages.close();
  return out;
}

export const sim = (deviceId: string, profile: Partial<NonNullable<JobDevice["sim"]>> = {}): JobDevice => ({
  device_id: deviceId,
  driver: "simulated",
  sim: { latency_ms: 0, fail_rate: 0, fail_code: "connection_timeouts", ...profile },
});
