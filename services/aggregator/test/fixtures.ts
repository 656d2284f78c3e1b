import { publishJson } from "@headless-ops/bus";
import type { DeviceResult, DeviceResultBatch, OperationType } from "@headless-ops/contracts";
import { claimDueOperation, insertOperation, withTransaction } from "@headless-ops/db";
import { startWorkerEnv, type WorkerTestEnv, waitFor } from "@headless-ops/testkit";
import { buildAggregator } from "../src/build-aggregator.js";

export type Env = WorkerTestEnv;

/**
 * A database and NATS namespace with the aggregator worker running, built as `main.ts` builds it
 * (small batches, two folds at once).
 */
export async function startEnv(): Promise<Env> {
  const env = await startWorkerEnv("aggregator-test", {
    env: { AGGREGATOR_BATCH_MAX: "40", AGGREGATOR_BATCH_MS: "20", AGGREGATOR_FOLD_CONCURRENCY: "2" },
  });
  await env.db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme')");
  const worker = buildAggregator(env.deps());
  await worker.start();
  return {
    ...env,
    close: async () => {
      await worker.stop();
      await env.close();
    },
  };
}

export type SeedDevice = { serial?: string | null; status?: string };

/**
 * Devices plus an in-progress operation over them, claimed the way the scheduler claims
 * (ledger snapshot included). Returns the operation id and the device ids in order.
 */
export async function seedOperation(
  env: Env,
  type: OperationType,
  devices: SeedDevice[],
  options: { update_firmware_info?: boolean; validate_connectivity?: boolean } = {},
): Promise<{ op: string; ids: string[] }> {
  const tag = Math.random().toString(36).slice(2, 8);
  const inserted = await env.db.pool.query<{ id: string }>(
    `INSERT INTO devices (organization_id, hostname, device_type, status, serial)
     SELECT 101, $1 || '-' || n, 'router', s.status, s.serial
       FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS s(serial, status, n)
     RETURNING id`,
    [tag, devices.map((d) => d.serial ?? null), devices.map((d) => d.status ?? "active")],
  );
  const ids = inserted.rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
  // The operation targets exactly these devices (`device_ids`), so several seeded in one test stay apart.
  const request = {
    operation_type: type,
    target_organizations: [101],
    device_filters: {},
    schedule: { execute_at: new Date(Date.now() - 1_000).toISOString(), priority: "normal" as const },
    options: {
      update_firmware_info: options.update_firmware_info ?? false,
      validate_connectivity: options.validate_connectivity ?? false,
      timeout_minutes: 60,
    },
    device_ids: ids,
  };
  const claimed = await withTransaction(env.db.pool, async (c) => {
    await insertOperation(c, env.ctx.natsPrefix, { request });
    return claimDueOperation(c, "");
  });
  if (!claimed || claimed.totalDevices !== devices.length)
    throw new Error("claim did not snapshot the devices");
  return { op: claimed.id, ids };
}

let seq = 0;
/** Publishes one result batch with a fresh message id (so JetStream does not de-duplicate it). */
export async function publishResults(
  env: Env,
  op: string,
  type: OperationType,
  results: Partial<DeviceResult>[],
  options: DeviceResultBatch["options"] = { update_firmware_info: false, validate_connectivity: false },
): Promise<void> {
  const now = new Date().toISOString();
  const batch: DeviceResultBatch = {
    v: 1,
    operation_id: op,
    operation_type: type,
    options,
    results: results.map(
      (r) => ({ outcome: "succeeded", attempts: 1, started_at: now, finished_at: now, ...r }) as DeviceResult,
    ),
  };
  seq += 1;
  await publishJson(env.js, env.names.subjects.result, batch, `test-res-${op}-${seq}`);
}

export async function operation(env: Env, id: string) {
  const res = await env.db.pool.query<{
    status: string;
    total_devices: number;
    processed_devices: number;
    failed_devices: number;
    progress: number;
    error_summary: Record<string, number>;
    estimated_completion: Date | null;
    finished_at: Date | null;
  }>("SELECT * FROM operations WHERE id = $1", [id]);
  return res.rows[0];
}

/** Waits until the operation has processed `n` devices. */
export function waitProcessed(env: Env, id: string, n: number) {
  return waitFor(async () => ((await operation(env, id))?.processed_devices === n ? true : undefined), {
    what: `${n} devices processed`,
    timeoutMs: 10_000,
  });
}

/** Counters recomputed from the ledger, to compare with the operation row. */
export async function ledgerCounts(env: Env, id: string) {
  const res = await env.db.pool.query<{ terminal: number; failed: number }>(
    `SELECT (count(*) FILTER (WHERE status IN ('succeeded', 'failed', 'cancelled')))::int AS terminal,
            (count(*) FILTER (WHERE status = 'failed'))::int AS failed
       FROM operation_devices WHERE operation_id = $1`,
    [id],
  );
  return res.rows[0];
}
