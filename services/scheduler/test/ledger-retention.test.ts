import { createDb, type DbHandle, pruneExpiredLedger } from "@headless-ops/db";
import { createLogger } from "@headless-ops/runtime";
import { createTestContext, type TestContext, waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startLedgerRetention } from "../src/ledger-retention.js";

/*
 * Retention against a real database: ledger rows of operations finished longer ago than the
 * retention go, in bounded batches; the operation rows and their counters stay; recent, running and
 * scheduled operations keep their ledger.
 */
let ctx: TestContext;
let db: DbHandle;

beforeAll(async () => {
  ctx = await createTestContext();
  db = createDb({ url: ctx.databaseUrl, max: 4, applicationName: "retention-test" });
  await db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme')");
});
afterAll(async () => {
  await db?.close();
  await ctx?.cleanup();
});

/** An operation with `devices` terminal ledger rows, `status`, finished `finishedDaysAgo` days ago. */
async function operation(status: string, devices: number, finishedDaysAgo: number | null): Promise<string> {
  const res = await db.pool.query<{ id: string }>(
    `INSERT INTO operations (operation_type, organization_ids, request, status, priority, scheduled_for,
                             total_devices, processed_devices, progress, started_at, finished_at)
     VALUES ('bulk_serial_sync', '{101}', '{}'::jsonb, $1, 5, now(), $2, $2, 100, now(),
             CASE WHEN $3::int IS NULL THEN NULL ELSE now() - make_interval(days => $3::int) END)
     RETURNING id`,
    [status, devices, finishedDaysAgo],
  );
  const id = res.rows[0]?.id as string;
  await db.pool.query(
    `INSERT INTO operation_devices (operation_id, device_id, status)
     SELECT $1, g, 'succeeded' FROM generate_series(1, $2::int) g`,
    [id, devices],
  );
  return id;
}

async function ledgerRows(id: string): Promise<number> {
  const res = await db.pool.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM operation_devices WHERE operation_id = $1",
    [id],
  );
  return res.rows[0]?.n ?? -1;
}

describe("ledger retention", () => {
  it("deletes expired ledger rows in bounded batches and keeps the operations and their counters", async () => {
    const old = await operation("completed", 2_500, 40);
    const oldCancelled = await operation("cancelled", 300, 31);
    const recent = await operation("completed", 200, 5);
    // A running operation that started long ago (no finished_at) is never touched.
    const running = await operation("in_progress", 200, null);

    const out = await pruneExpiredLedger(db.pool, { retentionDays: 30, batchSize: 1_000, maxBatches: 100 });
    expect(out.deleted).toBe(2_800);
    // 2,500 rows at 1,000 a statement take three; 300 more one: never more than a batch at once.
    expect(out.batches).toBe(4);
    expect(await ledgerRows(old)).toBe(0);
    expect(await ledgerRows(oldCancelled)).toBe(0);
    expect(await ledgerRows(recent)).toBe(200);
    expect(await ledgerRows(running)).toBe(200);
    const ops = await db.pool.query<{ id: string; total_devices: number; processed_devices: number }>(
      "SELECT id, total_devices, processed_devices FROM operations WHERE id = ANY($1::bigint[]) ORDER BY id",
      [[old, oldCancelled]],
    );
    expect(ops.rows).toEqual([
      { id: old, total_devices: 2_500, processed_devices: 2_500 },
      { id: oldCancelled, total_devices: 300, processed_devices: 300 },
    ]);
    // Nothing left to do: a second run deletes nothing.
    expect(
      await pruneExpiredLedger(db.pool, { retentionDays: 30, batchSize: 1_000, maxBatches: 100 }),
    ).toEqual({
      deleted: 0,
      batches: 0,
    });
  });

  it("stops a sweep after maxBatches and two replicas sweeping at once delete each row once", async () => {
    const id = await operation("completed_with_errors", 3_000, 60);
    const first = await pruneExpiredLedger(db.pool, { retentionDays: 30, batchSize: 500, maxBatches: 2 });
    expect(first).toEqual({ deleted: 1_000, batches: 2 });
    expect(await ledgerRows(id)).toBe(2_000);
    const both = await Promise.all([
      pruneExpiredLedger(db.pool, { retentionDays: 30, batchSize: 100, maxBatches: 100 }),
      pruneExpiredLedger(db.pool, { retentionDays: 30, batchSize: 100, maxBatches: 100 }),
    ]);
    const deleted = both[0].deleted + both[1].deleted;
    // SKIP LOCKED may end one replica's sweep early; whatever is left, the next sweep takes.
    const rest = await pruneExpiredLedger(db.pool, { retentionDays: 30, batchSize: 100, maxBatches: 100 });
    expect(deleted + rest.deleted).toBe(2_000);
    expect(await ledgerRows(id)).toBe(0);
  });

  it("runs from the scheduler's loop, and not at all with OPERATION_RETENTION_DAYS=0", async () => {
    const log = createLogger("retention-test", { LOG_LEVEL: "warn", LOG_PRETTY: false });
    const id = await operation("failed", 50, 10);
    const off = startLedgerRetention({ pool: db.pool, log, retentionDays: 0, intervalMs: 20 });
    await new Promise((r) => setTimeout(r, 200));
    await off.stop();
    expect(await ledgerRows(id)).toBe(50);
    const on = startLedgerRetention({ pool: db.pool, log, retentionDays: 7, intervalMs: 20 });
    await waitFor(async () => ((await ledgerRows(id)) === 0 ? true : undefined), {
      what: "ledger pruned",
      timeoutMs: 10_000,
    });
    await on.stop();
  });
});
