import type pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, isFinished, OPERATIONS } from "./support/api-client.js";
import { ledgerCounts, seedDevices, seedOrganizations } from "./support/fleet.js";
import { metricSum } from "./support/observe.js";
import { type Stack, startStack } from "./support/stack.js";

/*
 * The probe rate limit across replicas, as real processes (API, scheduler, aggregator, four probers)
 * over real Postgres and NATS: an operation with `options.max_devices_per_second: 500` over 3,000
 * simulated devices, and one over an organization whose default (set with the PATCH) is 250. The
 * observed rate, from the ledger's finished timestamps, stays within 10 % of the limit, and every
 * prober took part, so the limit held across replicas rather than per process.
 */

const PROBERS = 4;

type Rate = { devices: number; seconds: number; perSecond: number; medianSecond: number };

/**
 * Devices finished per second: (n - 1) intervals over the span between the first and the last
 * finished timestamp, and the median over the run's whole seconds (the first and last partial ones left out).
 */
async function observedRate(pool: pg.Pool, operationId: string): Promise<Rate> {
  const span = await pool.query<{ n: number; seconds: number }>(
    `SELECT count(*)::int AS n, extract(epoch FROM max(finished_at) - min(finished_at))::float8 AS seconds
       FROM operation_devices WHERE operation_id = $1`,
    [operationId],
  );
  const perSecond = await pool.query<{ n: number }>(
    `WITH t AS (SELECT finished_at, min(finished_at) OVER () AS t0 FROM operation_devices WHERE operation_id = $1),
          s AS (SELECT floor(extract(epoch FROM finished_at - t0))::int AS sec, count(*)::int AS n FROM t GROUP BY 1)
     SELECT n FROM s WHERE sec > 0 AND sec < (SELECT max(sec) FROM s) ORDER BY n`,
    [operationId],
  );
  const { n, seconds } = span.rows[0] ?? { n: 0, seconds: 0 };
  const counts = perSecond.rows.map((r) => r.n);
  return {
    devices: n,
    seconds,
    perSecond: (n - 1) / seconds,
    medianSecond: counts[Math.floor(counts.length / 2)] ?? Number.NaN,
  };
}

describe.sequential(`probe rate limit across ${PROBERS} probers`, () => {
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startStack({
      probers: PROBERS,
      // Jobs of 100 devices, so every prober holds several jobs of the operation at once.
      env: { LOG_LEVEL: "warn", FANOUT_BATCH_SIZE: "100" },
    });
    await seedOrganizations(stack.db.pool, [101, 102]);
    await seedDevices(stack.db.pool, {
      organization: 101,
      label: "wan",
      count: 3000,
      sim: { latency_ms: 5 },
    });
    await seedDevices(stack.db.pool, {
      organization: 102,
      label: "branch",
      count: 1000,
      sim: { latency_ms: 5 },
    });
    api = await stack.client([101, 102]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  const proberCounts = () =>
    Promise.all(
      Array.from({ length: PROBERS }, (_, i) =>
        metricSum(stack.group.get(`prober-${i + 1}`).url, "prober_devices_total"),
      ),
    );

  it("keeps an operation with max_devices_per_second 500 within 10 % of 500/s", async () => {
    const before = await proberCounts();
    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [101],
      options: { max_devices_per_second: 500 },
    });
    expect(created.operation_config.options.max_devices_per_second).toBe(500);
    const done = await api.pollOperation(created.id, isFinished, { timeoutMs: 90_000 });
    expect(done).toMatchObject({ status: "completed", processed_devices: 3000, failed_devices: 0 });
    expect(await ledgerCounts(stack.db.pool, created.id)).toEqual({ succeeded: 3000 });

    const rate = await observedRate(stack.db.pool, created.id);
    const shares = (await proberCounts()).map((n, i) => n - (before[i] ?? 0));
    process.stdout.write(
      `rate limit 500/s, ${PROBERS} probers: ${rate.devices} devices in ${rate.seconds.toFixed(2)} s = ` +
        `${rate.perSecond.toFixed(1)} devices/s (median whole second ${rate.medianSecond}); per prober ${shares.join(", ")}\n`,
    );
    expect(Math.abs(rate.perSecond - 500) / 500).toBeLessThan(0.1);
    // Every replica probed a share: the limit held over all of them together, not per process.
    expect(shares.every((n) => n > 0)).toBe(true);
    expect(shares.reduce((a, b) => a + b, 0)).toBe(3000);
  });

  it("applies the organization's default (PATCH, 250/s) to an operation that sets none", async () => {
    const patched = await api.call("PATCH", "/api/v1/organizations/102", { max_devices_per_second: 250 });
    expect(patched).toMatchObject({ status: 200, body: { id: 102, max_devices_per_second: 250 } });
    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [102],
    });
    expect(created.operation_config.options).not.toHaveProperty("max_devices_per_second");
    const done = await api.pollOperation(created.id, isFinished, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: "completed", processed_devices: 1000 });

    const rate = await observedRate(stack.db.pool, created.id);
    process.stdout.write(
      `organization default 250/s: ${rate.devices} devices in ${rate.seconds.toFixed(2)} s = ${rate.perSecond.toFixed(1)} devices/s\n`,
    );
    expect(Math.abs(rate.perSecond - 250) / 250).toBeLessThan(0.1);
  });

  it("leaves an unlimited operation over the same devices faster than the limit (the limit, not the machine, held it)", async () => {
    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [101],
    });
    const done = await api.pollOperation(created.id, isFinished, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: "completed", processed_devices: 3000 });
    const rate = await observedRate(stack.db.pool, created.id);
    process.stdout.write(
      `unlimited, same fleet: ${rate.devices} devices in ${rate.seconds.toFixed(2)} s = ${rate.perSecond.toFixed(1)} devices/s\n`,
    );
    expect(rate.perSecond).toBeGreaterThan(550);
    const buckets = await stack.db.pool.query(
      "SELECT 1 FROM operation_rate_buckets WHERE operation_id = $1",
      [created.id],
    );
    expect(buckets.rowCount).toBe(0);
  });

  it("ends a cancelled slow operation at once: devices still waiting for tokens are not paced out", async () => {
    // 3,000 devices at 20/s would take 150 s.
    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [101],
      options: { max_devices_per_second: 20 },
    });
    await api.pollOperation(created.id, (op) => op.processed_devices >= 20, { timeoutMs: 30_000 });
    const cancel = await api.call("POST", `${OPERATIONS}${created.id}/cancel`);
    expect(cancel.status).toBe(200);
    const cancelledAt = Date.now();
    const done = await api.pollOperation(created.id, isFinished, { timeoutMs: 30_000 });
    const seconds = (Date.now() - cancelledAt) / 1000;
    process.stdout.write(`cancel at 20/s: finished ${seconds.toFixed(1)} s after the cancel\n`);
    expect(done).toMatchObject({ status: "cancelled", processed_devices: 3000 });
    const ledger = await ledgerCounts(stack.db.pool, created.id);
    expect(ledger.succeeded).toBeGreaterThanOrEqual(20);
    expect(ledger.cancelled).toBeGreaterThan(2500);
    expect(seconds).toBeLessThan(15);
  });
});
