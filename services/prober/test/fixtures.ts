import { publishJson } from "@headless-ops/bus";
import type { DeviceJobBatch, DeviceResultBatch, JobDevice, Priority } from "@headless-ops/contracts";
import { cancelStoredOperation, claimDueOperation, insertOperation, withTransaction } from "@headless-ops/db";
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

/**
 * A running operation the status cache can read, taken through the state machine's own writes
 * (insert, claim, and with `cancelled` the cancel transition). Organization 101 has no devices here.
 */
export async function createOperationRow(env: Env, cancelled = false): Promise<string> {
  await env.db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme') ON CONFLICT DO NOTHING");
  return withTransaction(env.db.pool, async (client) => {
    const { row } = await insertOperation(client, env.ctx.natsPrefix, {
      request: {
        operation_type: "bulk_serial_sync",
        target_organizations: [101],
        device_filters: {},
        schedule: { execute_at: new Date(Date.now() - 1_000).toISOString(), priority: "normal" },
        options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 60 },
      },
    });
    const claimed = await claimDueOperation(client, "");
    if (claimed?.id !== row.id) throw new Error("the new operation was not the one claimed");
    if (cancelled) await cancelStoredOperation(client, "", row.id);
    return row.id;
  });
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
