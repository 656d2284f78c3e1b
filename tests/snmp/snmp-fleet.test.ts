import { randomBytes, randomInt } from "node:crypto";
import { createDb } from "@headless-ops/db";
import { type Fleet, inventoryCsv, startFleet } from "@headless-ops/device-sim";
import {
  createTestContext,
  ProcessGroup,
  runScript,
  type ServiceProcess,
  type TestContext,
  waitFor,
} from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * End to end over real SNMP: a 2,000-device simulated fleet imported through the API's CSV endpoint,
 * the four services as processes, `bulk_serial_sync` with firmware → the inventory equals the simulator;
 * then the simulator swaps 50 serials and an `inventory_audit` reports exactly those 50 mismatches.
 */

const DEVICES = 2_000;
const OPS = "/api/v1/inventory_device_serial_headless_operation/";

let ctx: TestContext;
let fleet: Fleet;
let db: ReturnType<typeof createDb>;
const group = new ProcessGroup();
let api: ServiceProcess;
let token: string;

async function call(method: string, path: string, body?: string, contentType = "application/json") {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": contentType } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

async function runOperation(operationType: string, options: Record<string, unknown>) {
  const created = await call(
    "POST",
    OPS,
    JSON.stringify({
      operation_type: operationType,
      target_organizations: [101, 102, 103],
      device_filters: {},
      schedule: { execute_at: new Date().toISOString(), priority: "normal" },
      options: { validate_connectivity: false, timeout_minutes: 10, ...options },
    }),
  );
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return waitFor(
    async () => {
      const res = await call("GET", `${OPS}?id=${created.body.id}`);
      const op = res.body?.results?.[0];
      return op && !["scheduled", "in_progress"].includes(op.status) ? op : undefined;
    },
    { timeoutMs: 90_000, intervalMs: 250, what: `${operationType} to finish\n${group.dump()}` },
  );
}

beforeAll(async () => {
  ctx = await createTestContext();
  const env = { ...ctx.env, CREDENTIAL_KEY: randomBytes(32).toString("base64"), ALLOW_LOOPBACK: "true" };
  fleet = await startFleet({
    devices: DEVICES,
    seed: 2026,
    addressBase: `127.${randomInt(20, 250)}.0.0`,
    port: 0,
    v3Share: 0.2,
    faultRate: 0,
    latencyMs: [0, 2],
  });
  db = createDb({ url: ctx.databaseUrl, max: 2 });
  await db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'a'), (102, 'b'), (103, 'c')");
  const admin = await runScript({
    script: "services/api/dist/admin.js",
    args: ["token", "create", "--org", "101", "--org", "102", "--org", "103", "--role", "admin"],
    env,
  });
  token = admin.stdout.trim();
  api = await group.start("api", { env });
  await group.start("scheduler", { env });
  await group.start("aggregator", { env });
  const prober = await group.start("prober", { env: { ...env, LOG_LEVEL: "info" } });
  const started = await prober.waitForLog((r) => r.msg === "prober started");
  expect(
    started.drivers,
    "the prober must register the snmp driver (services/prober/src/build-prober.ts)",
  ).toContain("snmp");
});

afterAll(async () => {
  await group.stopAll();
  await fleet?.stop();
  await db?.close();
  await ctx?.cleanup();
});

describe("SNMP fleet end to end", () => {
  it("imports the simulator's CSV", async () => {
    const res = await call("POST", "/api/v1/devices/import", inventoryCsv(fleet.devices), "text/csv");
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    expect(res.body).toEqual({ created: DEVICES });
  });

  it("bulk_serial_sync with firmware: every serial, model and firmware equals the simulator's", async () => {
    const op = await runOperation("bulk_serial_sync", { update_firmware_info: true });
    expect(op).toMatchObject({
      status: "completed",
      total_devices: DEVICES,
      processed_devices: DEVICES,
      failed_devices: 0,
    });
    const { rows } = await db.pool.query<{
      hostname: string;
      serial: string;
      model: string;
      firmware: string;
    }>("SELECT hostname, serial, model, firmware FROM devices");
    const inventory = new Map(rows.map((r) => [r.hostname, r]));
    const differing = fleet.devices.filter((d) => {
      const row = inventory.get(d.hostname);
      return row?.serial !== d.serial || row?.model !== d.model || row?.firmware !== d.firmware;
    });
    expect(differing.map((d) => d.hostname)).toEqual([]);
  });

  it("inventory_audit after 50 serial swaps reports exactly those 50 mismatches", async () => {
    const swapped = fleet.swapSerials(50);
    const op = await runOperation("inventory_audit", {});
    expect(op.status).toBe("completed");
    expect(op.operation_details.error_summary).toMatchObject({ serial_mismatches: 50 });
    const { rows } = await db.pool.query<{ hostname: string }>(
      `SELECT d.hostname FROM operation_devices od JOIN devices d ON d.id = od.device_id
        WHERE od.operation_id = $1 AND (od.observed ->> 'serial_mismatch')::boolean`,
      [op.id],
    );
    expect(rows.map((r) => r.hostname).sort()).toEqual(swapped.map((s) => s.hostname).sort());
  });
});
