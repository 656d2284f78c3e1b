import type { OperationView } from "@headless-ops/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, isFinished, OPERATIONS } from "./support/api-client.js";
import { ledgerCounts, seedDevices, seedOrganizations } from "./support/fleet.js";
import { metricSum, resultsInStream } from "./support/observe.js";
import { type Stack, startStack } from "./support/stack.js";

/*
 * The whole pipeline as real processes (API, two schedulers, aggregator, two probers) over real
 * Postgres and NATS: one operation over 1,000 simulated devices with a known failure mix, then the
 * retry of its failed devices. Failures are deterministic (fail_rate 1 or 0).
 */

const PROBE_MAX_ATTEMPTS = 3;
const mix = {
  healthyA: 500,
  authentication_failures: 40,
  protocol_errors: 20,
  healthyB: 350,
  connection_timeouts: 60,
  unreachable: 30,
};
const expectedFailures = {
  authentication_failures: 40,
  protocol_errors: 20,
  connection_timeouts: 60,
  unreachable: 30,
};

describe.sequential("pipeline end to end (1,000 devices, two scheduler replicas)", () => {
  let stack: Stack;
  let api: ApiClient;
  let failedIds: string[] = [];
  let excludedIds: string[] = [];
  let first: OperationView;

  beforeAll(async () => {
    stack = await startStack({
      schedulers: 2,
      probers: 2,
      env: {
        LOG_LEVEL: "info",
        PROBE_RETRY_BACKOFF_MS: "10",
        PROBE_MAX_ATTEMPTS: String(PROBE_MAX_ATTEMPTS),
      },
    });
    const pool = stack.db.pool;
    await seedOrganizations(pool, [101, 102, 999]);
    await seedDevices(pool, { organization: 101, label: "a-ok", count: mix.healthyA });
    const failing = await Promise.all([
      seedDevices(pool, {
        organization: 101,
        label: "a-auth",
        count: 40,
        sim: { fail_rate: 1, fail_code: "authentication_failures" },
      }),
      seedDevices(pool, {
        organization: 101,
        label: "a-proto",
        count: 20,
        sim: { fail_rate: 1, fail_code: "protocol_errors" },
      }),
      seedDevices(pool, {
        organization: 102,
        label: "b-timeout",
        count: 60,
        sim: { fail_rate: 1, fail_code: "connection_timeouts" },
      }),
      seedDevices(pool, {
        organization: 102,
        label: "b-unreach",
        count: 30,
        sim: { fail_rate: 1, fail_code: "unreachable" },
      }),
    ]);
    failedIds = failing.flat().sort((a, b) => Number(a) - Number(b));
    await seedDevices(pool, { organization: 102, label: "b-ok", count: mix.healthyB, status: "pending" });
    // Not targeted: another organization, and a status the filter leaves out.
    excludedIds = [
      ...(await seedDevices(pool, { organization: 999, label: "other-org", count: 50 })),
      ...(await seedDevices(pool, {
        organization: 101,
        label: "a-decom",
        count: 25,
        status: "decommissioned",
      })),
    ];
    api = await stack.client([101, 102]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it("runs an operation due in 2 s to completed_with_errors with exact counts, error summary and inventory", async () => {
    const executeAt = new Date(Date.now() + 2_000).toISOString();
    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [101, 102],
      device_filters: { status: ["active", "pending"] },
      schedule: { execute_at: executeAt, priority: "normal" },
      options: { update_firmware_info: true, timeout_minutes: 10 },
    });
    expect(created).toMatchObject({ status: "scheduled", target_device_count: 1000 });
    expect((await api.operation(created.id)).status).toBe("scheduled");

    first = await api.pollOperation(created.id, isFinished, { timeoutMs: 60_000 });

    expect(first).toMatchObject({
      status: "completed_with_errors",
      progress: 100,
      total_devices: 1000,
      processed_devices: 1000,
      failed_devices: 150,
    });
    expect(first.operation_details.error_summary).toEqual(expectedFailures);
    // The status helpers recount from the ledger: the aggregator's running counters agree with it.
    const recounted = await api.operation(first.id, { updateStatus: true });
    expect(recounted).toMatchObject({ status: first.status, processed_devices: 1000, failed_devices: 150 });
    expect(recounted.operation_details.error_summary).toEqual(expectedFailures);

    // Claimed at its time, not before (the API renders whole seconds: compare in the database).
    const timing = await stack.db.pool.query<{ scheduled_for: Date; on_time: boolean; finished: boolean }>(
      `SELECT scheduled_for, started_at >= scheduled_for AS on_time, finished_at >= started_at AS finished
         FROM operations WHERE id = $1`,
      [first.id],
    );
    expect(timing.rows[0]).toEqual({ scheduled_for: new Date(executeAt), on_time: true, finished: true });

    const pool = stack.db.pool;
    expect(await ledgerCounts(pool, first.id)).toEqual({ succeeded: 850, failed: 150 });
    // Transient faults were retried up to the limit; the others failed at the first attempt.
    const attempts = await pool.query<{ error_code: string; attempts: number; n: number }>(
      `SELECT error_code, attempts, count(*)::int AS n FROM operation_devices
        WHERE operation_id = $1 AND status = 'failed' GROUP BY 1, 2 ORDER BY 1`,
      [first.id],
    );
    expect(attempts.rows).toEqual([
      { error_code: "authentication_failures", attempts: 1, n: 40 },
      { error_code: "connection_timeouts", attempts: PROBE_MAX_ATTEMPTS, n: 60 },
      { error_code: "protocol_errors", attempts: 1, n: 20 },
      { error_code: "unreachable", attempts: PROBE_MAX_ATTEMPTS, n: 30 },
    ]);

    // Inventory: every succeeded device now carries the serial (and firmware) it reported; failed and
    // untargeted devices are untouched.
    const inventory = await pool.query<{
      synced: number;
      failed_untouched: number;
      excluded_untouched: number;
    }>(
      `SELECT count(*) FILTER (WHERE serial = sim_profile->>'serial' AND firmware = sim_profile->>'firmware'
                                 AND last_seen IS NOT NULL AND NOT (id = ANY($1::bigint[]) OR id = ANY($2::bigint[])))::int AS synced,
              count(*) FILTER (WHERE id = ANY($1::bigint[]) AND serial IS NULL)::int AS failed_untouched,
              count(*) FILTER (WHERE id = ANY($2::bigint[]) AND serial IS NULL AND last_seen IS NULL)::int AS excluded_untouched
         FROM devices`,
      [failedIds, excludedIds],
    );
    expect(inventory.rows[0]).toEqual({ synced: 850, failed_untouched: 150, excluded_untouched: 75 });

    // The per-device view agrees with the summary.
    const unreachable = await api.call<{ count: number }>(
      "GET",
      `${OPERATIONS}${first.id}/devices/?status=failed&error_code=unreachable&page_size=1`,
    );
    expect(unreachable).toMatchObject({ status: 200, body: { count: 30 } });
  });

  it("fans the operation out exactly once with two scheduler replicas running", async () => {
    expect(first, "the first test must have run the operation").toBeDefined();
    const schedulers = [stack.group.get("scheduler-1"), stack.group.get("scheduler-2")];
    const probers = [stack.group.get("prober-1"), stack.group.get("prober-2")];
    const sum = async (procs: typeof schedulers, name: string) =>
      (await Promise.all(procs.map((p) => metricSum(p.url, name)))).reduce((a, b) => a + b, 0);
    expect(await sum(schedulers, "scheduler_operations_claimed_total")).toBe(1);
    expect(await sum(schedulers, "scheduler_devices_published_total")).toBe(1000);
    expect(await sum(probers, "prober_devices_total")).toBe(1000);
    const rows = await stack.db.pool.query<{ n: number; distinct_devices: number }>(
      "SELECT count(*)::int AS n, count(DISTINCT device_id)::int AS distinct_devices FROM operation_devices WHERE operation_id = $1",
      [first.id],
    );
    expect(rows.rows[0]).toEqual({ n: 1000, distinct_devices: 1000 });
    const results = await resultsInStream(stack.ctx.natsUrl, stack.ctx.natsPrefix, first.id);
    expect(results.size).toBe(1000);
    expect([...results.values()].every((n) => n === 1)).toBe(true);
  });

  it("retries exactly the failed devices as a new operation", async () => {
    expect(first, "the first test must have run the operation").toBeDefined();
    const res = await api.call<{ id: string; retry_of: string | null; target_device_count: number }>(
      "POST",
      `${OPERATIONS}${first.id}/retry`,
    );
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ retry_of: first.id, target_device_count: 150 });
    expect(res.body.id).not.toBe(first.id);

    const retried = await api.pollOperation(res.body.id, isFinished, { timeoutMs: 30_000 });
    // The same devices fail the same way again: every one of them, so the retry failed.
    expect(retried).toMatchObject({
      status: "failed",
      total_devices: 150,
      processed_devices: 150,
      failed_devices: 150,
      progress: 100,
    });
    expect(retried.operation_details.error_summary).toEqual(expectedFailures);
    const ledger = await stack.db.pool.query<{ device_id: string }>(
      "SELECT device_id FROM operation_devices WHERE operation_id = $1 ORDER BY device_id",
      [retried.id],
    );
    expect(ledger.rows.map((r) => r.device_id)).toEqual(failedIds);
  });
});
