import type { DeviceResult } from "@headless-ops/contracts";
import { startWorkerEnv, type WorkerTestEnv } from "@headless-ops/testkit";
import type { Worker, WorkerDeps } from "@headless-ops/worker";

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildAggregator } from "../src/build-aggregator.js";
import { ledgerCounts, operation, publishResults, seedOperation, waitProcessed } from "./fixtures.js";

type Registry = WorkerDeps["registry"];

/*
 * Two aggregator replicas on one durable consumer and one operation: every fold of either replica
 * ends on the same operations row, and duplicated results make them race for the same ledger rows.
 * Nothing may be lost or counted twice, and neither may deadlock the other for good.
 */
let env: WorkerTestEnv;
const replicas: { worker: Worker; registry: Registry }[] = [];

beforeAll(async () => {
  env = await startWorkerEnv("aggregator-replicas", {
    env: { AGGREGATOR_BATCH_MAX: "50", AGGREGATOR_BATCH_MS: "10", AGGREGATOR_FOLD_CONCURRENCY: "2" },
    poolMax: 8,
  });
  await env.db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme')");
  for (let i = 0; i < 2; i++) {
    const deps = env.deps();
    const worker = buildAggregator(deps);
    await worker.start();
    replicas.push({ worker, registry: deps.registry });
  }
});
afterAll(async () => {
  for (const r of replicas) await r.worker.stop();
  await env?.close();
});

async function folded(registry: Registry): Promise<number> {
  const metric = await registry.getSingleMetric("aggregator_results_folded_total")?.get();
  return (metric?.values ?? []).reduce((sum, v) => sum + v.value, 0);
}

describe("two aggregators on one operation", () => {
  it("fold every result exactly once between them, duplicates included", async () => {
    const devices = 3_000;
    const { op, ids } = await seedOperation(
      env as WorkerTestEnv & { close: () => Promise<void> },
      "bulk_serial_sync",
      Array.from({ length: devices }, () => ({})),
    );
    const result = (id: string, i: number): Partial<DeviceResult> =>
      i % 10 === 0
        ? { device_id: id, outcome: "failed", error_code: "unreachable" }
        : { device_id: id, observed: { serial: `SN-${id}` } };
    // Every device twice, in batches of 25: once in order, once in reverse, so both replicas hold
    // batches over the same rows at the same time.
    const forward = ids.map((id, i) => result(id, i));
    const batches: Partial<DeviceResult>[][] = [];
    for (let i = 0; i < devices; i += 25) {
      batches.push(forward.slice(i, i + 25));
      batches.push(forward.slice(devices - i - 25, devices - i).reverse());
    }
    for (let i = 0; i < batches.length; i += 20) {
      await Promise.all(
        batches.slice(i, i + 20).map((b) => publishResults(env as never, op, "bulk_serial_sync", b)),
      );
    }
    await waitProcessed(env as never, op, devices);
    const row = await operation(env as never, op);
    const ledger = await ledgerCounts(env as never, op);
    expect(row?.status).toBe("completed_with_errors");
    expect(row?.processed_devices).toBe(devices);
    expect(row?.failed_devices).toBe(devices / 10);
    expect(row?.error_summary).toEqual({ unreachable: devices / 10 });
    expect(ledger).toEqual({ terminal: devices, failed: devices / 10 });
    const serials = await env.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM devices WHERE serial = 'SN-' || id::text",
    );
    expect(serials.rows[0]?.n).toBe(devices - devices / 10);
    // Both replicas took part, and between them they moved each ledger row once.
    const perReplica = await Promise.all(replicas.map((r) => folded(r.registry)));
    expect(perReplica.every((n) => n > 0)).toBe(true);
    expect(perReplica.reduce((a, b) => a + b, 0)).toBe(devices);
  }, 60_000);
});
