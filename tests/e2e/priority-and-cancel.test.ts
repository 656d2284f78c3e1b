import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, isFinished, OPERATIONS } from "./support/api-client.js";
import { ledgerCounts, seedDevices, seedOrganizations } from "./support/fleet.js";
import { type Stack, startStack } from "./support/stack.js";

/*
 * One prober that probes one small job at a time (PROBER_CONCURRENCY=1, 5 devices per job message)
 * over devices that answer in 30 ms: slow enough to see which jobs go first and to cancel mid-way.
 */

const LATENCY_MS = 30;
const sim = { latency_ms: LATENCY_MS, fail_rate: 0 };
const inSeconds = (s: number) => new Date(Date.now() + s * 1_000).toISOString();

describe.sequential("priority and cancel with a slow prober", () => {
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startStack({
      probers: 1,
      env: { LOG_LEVEL: "info", PROBER_CONCURRENCY: "1", FANOUT_BATCH_SIZE: "5", SCHEDULER_SWEEP_MS: "500" },
    });
    await seedOrganizations(stack.db.pool, [201, 202, 203]);
    await seedDevices(stack.db.pool, { organization: 201, label: "low", count: 100, sim });
    await seedDevices(stack.db.pool, { organization: 202, label: "high", count: 20, sim });
    await seedDevices(stack.db.pool, { organization: 203, label: "cancel", count: 150, sim });
    api = await stack.client([201, 202, 203]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("runs a high-priority operation's devices before the backlog of a low-priority one", async () => {
    const body = (org: number, priority: string, executeAt: string) => ({
      operation_type: "status_refresh",
      target_organizations: [org],
      schedule: { execute_at: executeAt, priority },
    });
    const low = await api.createOperation(body(201, "low", inSeconds(0.5)));
    // The low operation's backlog is queued and being worked on when the high one comes due.
    await api.pollOperation(low.id, (op) => op.processed_devices >= 5, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });
    const high = await api.createOperation(body(202, "high", inSeconds(0.5)));
    const [lowDone, highDone] = await Promise.all([
      api.pollOperation(low.id, isFinished, { timeoutMs: 40_000 }),
      api.pollOperation(high.id, isFinished, { timeoutMs: 40_000 }),
    ]);
    expect(lowDone).toMatchObject({ status: "completed", processed_devices: 100 });
    expect(highDone).toMatchObject({ status: "completed", processed_devices: 20 });

    // The low operation was already running when the high one came due, and finished last.
    const span = await stack.db.pool.query<{
      low_started_first: boolean;
      high_finished_first: boolean;
      low_during_high: number;
      low_after_high: number;
    }>(
      `WITH h AS (SELECT min(finished_at) AS first_done, max(finished_at) AS last_done
                    FROM operation_devices WHERE operation_id = $2)
       SELECT (SELECT started_at FROM operations WHERE id = $1) < (SELECT started_at FROM operations WHERE id = $2)
                AS low_started_first,
              (SELECT finished_at FROM operations WHERE id = $2) < (SELECT finished_at FROM operations WHERE id = $1)
                AS high_finished_first,
              count(*) FILTER (WHERE od.finished_at > h.first_done AND od.finished_at < h.last_done)::int AS low_during_high,
              count(*) FILTER (WHERE od.finished_at > h.last_done)::int AS low_after_high
         FROM operation_devices od, h WHERE od.operation_id = $1`,
      [low.id, high.id],
    );
    const s = span.rows[0];
    expect(s?.low_started_first, "the low operation should have started first").toBe(true);
    expect(s?.high_finished_first, "the high operation should have finished first").toBe(true);
    // While the high operation's devices were probed, at most a job or two of the low one (already
    // taken) finished; in FIFO order the whole remaining low backlog would have gone first.
    expect(s?.low_during_high).toBeLessThanOrEqual(10);
    expect(s?.low_after_high).toBeGreaterThan(20);
  });

  it("cancels an operation in progress: it ends cancelled, with counts that add up", async () => {
    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [203],
      schedule: { execute_at: inSeconds(0.5), priority: "normal" },
    });
    await api.pollOperation(created.id, (op) => op.processed_devices >= 10, {
      timeoutMs: 20_000,
      intervalMs: 100,
    });

    const cancel = await api.call<{ status: string; cancel_requested_at: string | null }>(
      "POST",
      `${OPERATIONS}${created.id}/cancel`,
    );
    expect(cancel.status).toBe(200);
    expect(cancel.body.cancel_requested_at).not.toBeNull();

    const done = await api.pollOperation(created.id, isFinished, { timeoutMs: 20_000 });
    expect(done).toMatchObject({
      status: "cancelled",
      total_devices: 150,
      processed_devices: 150,
      failed_devices: 0,
      progress: 100,
    });
    const ledger = await ledgerCounts(stack.db.pool, created.id);
    expect((ledger.succeeded ?? 0) + (ledger.cancelled ?? 0)).toBe(150);
    expect(ledger.succeeded).toBeGreaterThanOrEqual(10);
    // Stopped well before the end: 150 devices take 4.5 s one at a time.
    expect(ledger.cancelled).toBeGreaterThan(50);
    // Devices probed before the cancel kept their result in the inventory.
    const synced = await stack.db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM devices d JOIN operation_devices od ON od.device_id = d.id
        WHERE od.operation_id = $1 AND od.status = 'succeeded' AND d.serial = d.sim_profile->>'serial'`,
      [created.id],
    );
    expect(synced.rows[0]?.n).toBe(ledger.succeeded);

    const again = await api.call("POST", `${OPERATIONS}${created.id}/cancel`);
    expect(again.status).toBe(409);
  });
});
