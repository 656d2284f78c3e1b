import type { StoredOperationRequest } from "@headless-ops/contracts";
import { createTestContext, type TestContext } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle, withTransaction } from "../src/client.js";
import { claimDueOperation, unfinishedFanouts } from "../src/pipeline/claim-operation.js";
import { cancelStoredOperation } from "../src/status/cancel-operation.js";
import { insertOperation } from "../src/status/insert-operation.js";

const request = (over: Partial<StoredOperationRequest> = {}): StoredOperationRequest => ({
  operation_type: "bulk_serial_sync",
  target_organizations: [101],
  device_filters: {},
  schedule: { execute_at: new Date(Date.now() - 1_000).toISOString(), priority: "high" },
  options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 30 },
  ...over,
});

describe("operation state machine writes", () => {
  let ctx: TestContext;
  let db: DbHandle;
  const operation = async (id: string) =>
    (
      await db.pool.query<{
        status: string;
        processed_devices: number;
        progress: number;
        total_devices: number;
      }>("SELECT status, processed_devices, progress, total_devices FROM operations WHERE id = $1", [id])
    ).rows[0];

  beforeAll(async () => {
    ctx = await createTestContext();
    db = createDb({ url: ctx.databaseUrl, max: 2 });
    await db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme')");
    await db.pool.query(
      `INSERT INTO devices (organization_id, hostname, device_type, status)
       SELECT 101, 'd-' || n, 'router', 'active' FROM generate_series(1, 4) n`,
    );
  });
  afterAll(async () => {
    await db?.close();
    await ctx?.cleanup();
  });

  it("inserts a scheduled operation with its operation.created outbox row, and rejects a malformed request", async () => {
    const { row, event } = await withTransaction(db.pool, (c) =>
      insertOperation(c, "p1", { request: request() }),
    );
    expect(await operation(row.id)).toMatchObject({ status: "scheduled" });
    const outbox = await db.pool.query("SELECT subject, msg_id, payload FROM outbox WHERE msg_id = $1", [
      `op-${row.id}-created`,
    ]);
    expect(outbox.rows).toEqual([
      { subject: "p1.ops.operation.created", msg_id: `op-${row.id}-created`, payload: event },
    ]);
    expect(event).toMatchObject({ v: 1, operation_id: row.id, priority: "high" });
    await expect(
      withTransaction(db.pool, (c) =>
        insertOperation(c, "p1", { request: { ...request(), target_organizations: "101" } as never }),
      ),
    ).rejects.toThrow();
    await withTransaction(db.pool, (c) => cancelStoredOperation(c, "", row.id));
  });

  it("cancels a scheduled operation at once, and a running one's undispatched devices with progress", async () => {
    const scheduled = await withTransaction(db.pool, (c) =>
      insertOperation(c, "", {
        request: request({ schedule: { execute_at: "2999-01-01T00:00:00.000Z", priority: "low" } }),
      }),
    );
    expect(await withTransaction(db.pool, (c) => cancelStoredOperation(c, "", scheduled.row.id))).toBe(
      "scheduled",
    );
    expect(await operation(scheduled.row.id)).toMatchObject({ status: "cancelled" });

    const running = await withTransaction(db.pool, async (c) => {
      const { row } = await insertOperation(c, "", { request: request() });
      const claimed = await claimDueOperation(c, "");
      expect(claimed).toMatchObject({ id: row.id, totalDevices: 4 });
      // Two devices were dispatched (the cursor is past them); the other two never were.
      const ids = await c.query<{ device_id: string }>(
        "SELECT device_id FROM operation_devices WHERE operation_id = $1 ORDER BY device_id",
        [row.id],
      );
      await c.query("UPDATE operations SET fanout_cursor = $2 WHERE id = $1", [
        row.id,
        ids.rows[1]?.device_id,
      ]);
      return row.id;
    });
    expect(await withTransaction(db.pool, (c) => cancelStoredOperation(c, "", running))).toBe("in_progress");
    expect(await operation(running)).toMatchObject({
      status: "in_progress",
      processed_devices: 2,
      progress: 50,
    });
    // Already ended (or cancel requested): a second cancel changes nothing.
    expect(await withTransaction(db.pool, (c) => cancelStoredOperation(c, "", scheduled.row.id))).toBe(
      "cancelled",
    );
    expect(await withTransaction(db.pool, (c) => cancelStoredOperation(c, "", running))).toBe("in_progress");
    expect(await operation(running)).toMatchObject({ processed_devices: 2 });
  });

  it("ends an operation whose stored request does not parse as failed at claim, targeting nothing", async () => {
    const { row } = await withTransaction(db.pool, (c) => insertOperation(c, "", { request: request() }));
    await db.pool.query(`UPDATE operations SET request = '{"operation_type": "x"}' WHERE id = $1`, [row.id]);
    const claimed = await withTransaction(db.pool, (c) => claimDueOperation(c, ""));
    expect(claimed).toMatchObject({ id: row.id, totalDevices: 0, invalidRequest: expect.any(String) });
    expect(await operation(row.id)).toMatchObject({ status: "failed", total_devices: 0 });
    const ledger = await db.pool.query("SELECT 1 FROM operation_devices WHERE operation_id = $1", [row.id]);
    expect(ledger.rowCount).toBe(0);
  });

  it("keeps the creating request's trace context with the operation for whichever replica claims or resumes it", async () => {
    const traceparent = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
    const { row } = await withTransaction(db.pool, (c) =>
      insertOperation(c, "", { request: request(), traceparent }),
    );
    const outbox = await db.pool.query("SELECT traceparent FROM outbox WHERE msg_id = $1", [
      `op-${row.id}-created`,
    ]);
    expect(outbox.rows).toEqual([{ traceparent }]);
    // Another connection, as another scheduler replica or a restarted one, with nothing in memory.
    const claimed = await withTransaction(db.pool, (c) => claimDueOperation(c, ""));
    expect(claimed).toMatchObject({ id: row.id, traceparent });
    expect(await unfinishedFanouts(db.pool, 100)).toContainEqual({ id: row.id, traceparent });
    // Untraced (no span, none given): null, and the fan-out starts a trace of its own.
    const untraced = await withTransaction(db.pool, (c) => insertOperation(c, "", { request: request() }));
    expect(await withTransaction(db.pool, (c) => claimDueOperation(c, ""))).toMatchObject({
      id: untraced.row.id,
      traceparent: null,
    });
  });
});
