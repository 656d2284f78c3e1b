import { DeviceResultView, pageOf } from "@headless-ops/contracts";
import { createLogger } from "@headless-ops/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";
import { type LedgerSeed, seedRunning } from "./ledger.js";

let h: Harness;
let auth: string;
let ids: string[];

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102])).auth;
  const res = await h.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: auth },
    payload: Array.from({ length: 6 }, (_, i) => device(101, { hostname: `r${i}` })),
  });
  ids = res.json().results.map((d: { id: string }) => d.id);
});
afterAll(() => h?.close());

const call = (method: "GET" | "POST", url: string, token = auth) =>
  h.app.inject({ method, url, headers: { authorization: token } });

async function newOperation(orgs = [101]): Promise<string> {
  const res = await h.app.inject({
    method: "POST",
    url: OPS,
    headers: { authorization: auth },
    payload: { ...referenceBody(orgs), device_filters: undefined },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

const mixed = (): LedgerSeed[] => [
  { device_id: ids[0] as string, status: "succeeded", observed: { serial: "SN0" } },
  { device_id: ids[1] as string, status: "failed", error_code: "connection_timeouts" },
  { device_id: ids[2] as string, status: "failed", error_code: "authentication_failures" },
  { device_id: ids[3] as string, status: "pending" },
  { device_id: ids[4] as string, status: "pending" },
  { device_id: ids[5] as string, status: "pending" },
];

describe("GET …/{id}/devices/", () => {
  it("lists per-device results, rendering pending rows at or below the cursor as dispatched", async () => {
    const op = await newOperation();
    await seedRunning(h.db.pool, op, mixed(), { cursor: ids[4] as string });
    const res = await call("GET", `${OPS}${op}/devices/?page_size=4`);
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(pageOf(DeviceResultView).safeParse(body).error).toBeUndefined();
    expect(body.count).toBe(6);
    expect(body.next).toMatch(/\/devices\/\?page_size=4&page=2$/);
    expect(body.results.map((r: { status: string }) => r.status)).toEqual([
      "succeeded",
      "failed",
      "failed",
      "dispatched",
    ]);
    expect(body.results[0]).toMatchObject({
      device_id: ids[0],
      hostname: "r0",
      observed: { serial: "SN0" },
      attempts: 1,
    });
    // Dispatch is a cursor, not a row write: no always-null dispatched_at in the rows or the document.
    expect(body.results.every((r: object) => !("dispatched_at" in r))).toBe(true);
    const doc = (await call("GET", "/docs/json")).json();
    expect(Object.keys(doc.components.schemas.DeviceResult.properties)).not.toContain("dispatched_at");
    const dispatched = await call("GET", `${OPS}${op}/devices/?status=dispatched`);
    expect(dispatched.json().results.map((r: { device_id: string }) => r.device_id)).toEqual([
      ids[3],
      ids[4],
    ]);
    const pending = await call("GET", `${OPS}${op}/devices/?status=pending`);
    expect(pending.json().results.map((r: { device_id: string }) => r.device_id)).toEqual([ids[5]]);
    const auth = await call("GET", `${OPS}${op}/devices/?error_code=authentication_failures`);
    expect(auth.json().results.map((r: { device_id: string }) => r.device_id)).toEqual([ids[2]]);
    const { auth: other } = await h.token([102]);
    expect((await call("GET", `${OPS}${op}/devices/`, other)).statusCode).toBe(404);
  });
});

describe("POST …/{id}/cancel", () => {
  it("cancels a scheduled operation at once, then answers 409", async () => {
    const op = await newOperation();
    const res = await call("POST", `${OPS}${op}/cancel`);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      id: op,
      status: "cancelled",
      cancel_requested_at: expect.stringMatching(/Z$/),
    });
    const again = await call("POST", `${OPS}${op}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json().detail).toMatch(/already ended/);
  });

  it("stops an in-progress one: undispatched devices cancelled, dispatched ones left to finish", async () => {
    const op = await newOperation();
    await seedRunning(h.db.pool, op, mixed(), { cursor: ids[3] as string });
    const res = await call("POST", `${OPS}${op}/cancel`);
    expect(res.statusCode).toBe(200);
    // 3 terminal + 2 cancelled (ids 4, 5 beyond the cursor) of 6; id 3 is in flight
    expect(res.json()).toMatchObject({ status: "in_progress", processed_devices: 5, progress: 83 });
    const statuses = await h.db.pool.query(
      "SELECT status FROM operation_devices WHERE operation_id = $1 ORDER BY device_id",
      [op],
    );
    expect(statuses.rows.map((r) => r.status)).toEqual([
      "succeeded",
      "failed",
      "failed",
      "pending",
      "cancelled",
      "cancelled",
    ]);
    // The prober reports the in-flight device as cancelled; the operation then ends cancelled.
    await h.db.pool.query(
      "UPDATE operation_devices SET status = 'cancelled' WHERE operation_id = $1 AND device_id = $2",
      [op, ids[3]],
    );
    const refreshed = await call("GET", `${OPS}?id=${op}&update_status=true`);
    expect(refreshed.json().results[0]).toMatchObject({
      status: "cancelled",
      processed_devices: 6,
      progress: 100,
    });
  });

  it("ends an in-progress operation at once when nothing was dispatched", async () => {
    const op = await newOperation();
    await seedRunning(h.db.pool, op, mixed().slice(3), { cursor: null });
    const res = await call("POST", `${OPS}${op}/cancel`);
    expect(res.json()).toMatchObject({ status: "cancelled", processed_devices: 3, failed_devices: 0 });
    const viewer = await h.token([101], "viewer");
    expect((await call("POST", `${OPS}${op}/cancel`, viewer.auth)).statusCode).toBe(403);
    expect((await call("POST", `${OPS}424242/cancel`)).statusCode).toBe(404);
  });
});

describe("POST …/{id}/retry", () => {
  it("creates a new operation over exactly the failed devices of a finished one", async () => {
    const op = await newOperation();
    await seedRunning(h.db.pool, op, mixed().slice(0, 3));
    expect((await call("POST", `${OPS}${op}/retry`)).statusCode).toBe(409); // still in progress
    await call("GET", `${OPS}?id=${op}&update_status=true`); // all terminal: finalizes
    const res = await call("POST", `${OPS}${op}/retry`);
    expect(res.statusCode).toBe(201);
    const retry = res.json();
    expect(retry).toMatchObject({
      status: "scheduled",
      retry_of: op,
      target_device_count: 2,
      operation_type: "bulk_serial_sync",
    });
    const stored = await h.db.pool.query("SELECT request, retry_of FROM operations WHERE id = $1", [
      retry.id,
    ]);
    expect(stored.rows[0].request.device_ids).toEqual([ids[1], ids[2]]);
    expect(stored.rows[0].retry_of).toBe(op);
    const outbox = await h.db.pool.query("SELECT 1 FROM outbox WHERE msg_id = $1", [
      `op-${retry.id}-created`,
    ]);
    expect(outbox.rowCount).toBe(1);
  });

  it("answers 409 when nothing failed", async () => {
    const op = await newOperation();
    await seedRunning(h.db.pool, op, [{ device_id: ids[0] as string, status: "succeeded" }]);
    await call("GET", `${OPS}?id=${op}&update_status=true`);
    const res = await call("POST", `${OPS}${op}/retry`);
    expect(res.statusCode).toBe(409);
  });
});

describe("update_status=true", () => {
  it("recounts counters, error summary, progress and ETA from the ledger", async () => {
    const op = await newOperation();
    const rows = mixed();
    rows[0] = { ...(rows[0] as LedgerSeed), observed: { serial: "SN0", serial_mismatch: true } };
    await seedRunning(h.db.pool, op, rows, { counters: "stale", cursor: ids[5] as string });
    const stale = await call("GET", `${OPS}?id=${op}`);
    expect(stale.json().results[0]).toMatchObject({ processed_devices: 0, progress: 0 });
    const res = await call("GET", `${OPS}?id=${op}&update_status=true`);
    expect(res.statusCode).toBe(200);
    const view = res.json().results[0];
    expect(view).toMatchObject({
      status: "in_progress",
      total_devices: 6,
      processed_devices: 3,
      failed_devices: 2,
      progress: 50,
      operation_details: {
        error_summary: { connection_timeouts: 1, authentication_failures: 1, serial_mismatches: 1 },
      },
    });
    expect(Date.parse(view.estimated_completion)).toBeGreaterThan(Date.now() - 1_000);
  });

  it("fails devices of an operation past its timeout and finishes it", async () => {
    const op = await newOperation();
    await seedRunning(h.db.pool, op, mixed(), { startedMinutesAgo: 5, timeoutMinutes: 2 });
    const res = await call("GET", `${OPS}?id=${op}&update_status=true`);
    expect(res.json().results[0]).toMatchObject({
      status: "completed_with_errors",
      processed_devices: 6,
      failed_devices: 5,
      progress: 100,
      operation_details: {
        error_summary: { connection_timeouts: 1, authentication_failures: 1, operation_timeouts: 3 },
      },
    });
  });

  it("answers 500 with a clear detail when a status helper fails", async () => {
    const failing = await buildApp({
      config: h.config,
      log: createLogger("api-test", { LOG_LEVEL: "silent", LOG_PRETTY: false }),
      db: h.db,
      statusHelpers: async () => {
        throw new Error("ledger unavailable");
      },
    });
    try {
      const { auth: token } = await h.token([101]);
      const plain = await failing.inject({ method: "GET", url: OPS, headers: { authorization: token } });
      expect(plain.statusCode).toBe(200);
      const res = await failing.inject({
        method: "GET",
        url: `${OPS}?update_status=true`,
        headers: { authorization: token },
      });
      expect(res.statusCode).toBe(500);
      expect(res.json().detail).toMatch(/^Operation status update failed/);
      expect(res.body).not.toContain("ledger unavailable");
    } finally {
      await failing.close();
    }
  });
});
