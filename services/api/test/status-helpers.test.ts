import { enforceOperationTimeouts, requeueStuckOperations, withTransaction } from "@headless-ops/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";
import { type LedgerSeed, seedRunning } from "./ledger.js";

let h: Harness;
let auth: string;
let ids: string[];

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101])).auth;
  const res = await h.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: auth },
    payload: Array.from({ length: 4 }, () => device(101)),
  });
  ids = res.json().results.map((d: { id: string }) => d.id);
});
afterAll(() => h?.close());

async function running(
  rows: LedgerSeed["status"][],
  opts: Parameters<typeof seedRunning>[3] = {},
): Promise<string> {
  const res = await h.app.inject({
    method: "POST",
    url: OPS,
    headers: { authorization: auth },
    payload: { ...referenceBody([101]), device_filters: undefined },
  });
  const id = res.json().id as string;
  await seedRunning(
    h.db.pool,
    id,
    rows.map((status, i) => ({
      device_id: ids[i] as string,
      status,
      ...(status === "failed" ? { error_code: "unreachable" } : {}),
    })),
    opts,
  );
  return id;
}

const op = async (id: string) =>
  (await h.db.pool.query("SELECT * FROM operations WHERE id = $1", [id])).rows[0] as Record<string, unknown>;

describe("enforceOperationTimeouts", () => {
  it("fails only the unfinished devices of expired operations, once", async () => {
    const expired = await running(["succeeded", "failed", "pending", "dispatched"], {
      startedMinutesAgo: 10,
      timeoutMinutes: 5,
    });
    const fresh = await running(["succeeded", "pending"], { startedMinutesAgo: 1, timeoutMinutes: 5 });
    const first = await withTransaction(h.db.pool, (c) => enforceOperationTimeouts(c, ""));
    expect(first.expired).toEqual([expired]);
    expect(first.timedOut.get(expired)).toBe(2);
    expect(first.finished).toEqual([{ id: expired, status: "completed_with_errors" }]);
    expect(await op(expired)).toMatchObject({
      processed_devices: 4,
      failed_devices: 3,
      progress: 100,
      error_summary: { unreachable: 1, operation_timeouts: 2 },
    });
    expect(await op(fresh)).toMatchObject({ status: "in_progress", processed_devices: 1 });
    const second = await withTransaction(h.db.pool, (c) => enforceOperationTimeouts(c, ""));
    expect(second.expired).toEqual([]);
    expect((await op(expired)).failed_devices).toBe(3);
  });

  it("limits itself to the given operations", async () => {
    const a = await running(["pending"], { startedMinutesAgo: 10, timeoutMinutes: 1 });
    const b = await running(["pending"], { startedMinutesAgo: 10, timeoutMinutes: 1 });
    const res = await withTransaction(h.db.pool, (c) => enforceOperationTimeouts(c, "", [a]));
    expect(res.finished).toEqual([{ id: a, status: "failed" }]);
    expect((await op(b)).status).toBe("in_progress");
    await withTransaction(h.db.pool, (c) => enforceOperationTimeouts(c, "", [b]));
  });
});

describe("requeueStuckOperations", () => {
  it("starts a new dispatch round for operations without progress, and only once per stuck period", async () => {
    const stuck = await running(["succeeded", "pending", "pending"], { cursor: ids[2] as string });
    const moving = await running(["pending"], { cursor: ids[0] as string });
    await h.db.pool.query("UPDATE operations SET updated_at = now() - interval '10 minutes' WHERE id = $1", [
      stuck,
    ]);
    const res = await withTransaction(h.db.pool, (c) =>
      requeueStuckOperations(c, { operationIds: [stuck, moving], stuckAfterMs: 60_000, natsPrefix: "" }),
    );
    expect(res.requeued).toEqual([{ id: stuck, dispatchRound: 2 }]);
    expect(await op(stuck)).toMatchObject({ dispatch_round: 2, fanout_cursor: null, fanout_done: false });
    expect(await op(moving)).toMatchObject({ dispatch_round: 1, fanout_cursor: ids[0] });
    const again = await withTransaction(h.db.pool, (c) =>
      requeueStuckOperations(c, { stuckAfterMs: 60_000, natsPrefix: "" }),
    );
    expect(again.requeued.map((r) => r.id)).not.toContain(stuck);
  });

  it("cancels the stuck devices of a cancel-requested operation and ends it", async () => {
    const id = await running(["succeeded", "pending"], { cursor: ids[1] as string });
    await h.db.pool.query(
      "UPDATE operations SET cancel_requested_at = now(), updated_at = now() - interval '10 minutes' WHERE id = $1",
      [id],
    );
    const res = await withTransaction(h.db.pool, (c) =>
      requeueStuckOperations(c, { operationIds: [id], stuckAfterMs: 60_000, natsPrefix: "" }),
    );
    expect(res.cancelled).toEqual([{ id, status: "cancelled" }]);
    expect(await op(id)).toMatchObject({ status: "cancelled", processed_devices: 2 });
  });
});
