import { createCipheriv, randomBytes, randomInt } from "node:crypto";
import { createDb } from "@headless-ops/db";
import { credentialsOf, type Fleet, inventoryCsv, startFleet } from "@headless-ops/device-sim";
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
 * Key rotation in the middle of a running SNMP operation: the inventory is sealed under the old key
 * (CREDENTIAL_KEY, plus some rows in the format written before binding existed), the api and the
 * prober then hold both keys (CREDENTIAL_KEYS=k2:new beside CREDENTIAL_KEY=old), and
 * `admin credentials rotate` re-seals every device under k2 while probes run. No probe fails; every
 * row ends under k2; a second run has nothing left to do. Only the api, the prober and the admin
 * command get a key: the scheduler and the aggregator run without one.
 */

const DEVICES = 1_200;
const LEGACY = 100;
const OPS = "/api/v1/inventory_device_serial_headless_operation/";
const [oldKey, newKey] = [randomBytes(32).toString("base64"), randomBytes(32).toString("base64")];

let ctx: TestContext;
let fleet: Fleet;
let db: ReturnType<typeof createDb>;
const group = new ProcessGroup();
let api: ServiceProcess;
let token: string;

const keyEnv = () => ({
  ...ctx.env,
  CREDENTIAL_KEY: oldKey,
  CREDENTIAL_KEYS: `k2:${newKey}`,
  ALLOW_LOOPBACK: "true",
});

async function call(method: string, path: string, body?: string, contentType = "application/json") {
  const res = await fetch(`${api.url}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { "content-type": contentType } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

const operation = async (id: string) => (await call("GET", `${OPS}?id=${id}`)).body?.results?.[0];

/** The format written before binding and key ids: [1][iv][tag][ciphertext], no additional data. */
function sealV1(key: string, value: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(key, "base64"), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
}

const rotate = async () => {
  const out = await runScript({
    script: "services/api/dist/admin.js",
    args: ["credentials", "rotate", "--batch-size", "100"],
    env: keyEnv(),
  });
  expect(out.code, out.stderr).toBe(0);
  return JSON.parse(out.stdout.trim().split("\n").at(-1) as string);
};

beforeAll(async () => {
  ctx = await createTestContext();
  fleet = await startFleet({
    devices: DEVICES,
    seed: 77,
    addressBase: `127.${randomInt(20, 250)}.0.0`,
    port: 0,
    v3Share: 0.3,
    faultRate: 0,
    latencyMs: [40, 80],
  });
  db = createDb({ url: ctx.databaseUrl, max: 2 });
  await db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'a'), (102, 'b'), (103, 'c')");
  const admin = await runScript({
    script: "services/api/dist/admin.js",
    args: ["token", "create", "--org", "101", "--org", "102", "--org", "103", "--role", "operator"],
    env: ctx.env,
  });
  token = admin.stdout.trim();
  // The inventory as it was before the rotation: one key, some rows in the unbound format 1.
  const before = await group.start("api", {
    env: { ...ctx.env, CREDENTIAL_KEY: oldKey, ALLOW_LOOPBACK: "true" },
    name: "api-old",
  });
  api = before;
  const imported = await call("POST", "/api/v1/devices/import", inventoryCsv(fleet.devices), "text/csv");
  expect(imported.status, JSON.stringify(imported.body)).toBe(201);
  await before.stop();
  const byHostname = new Map(fleet.devices.map((d) => [d.hostname, d]));
  const { rows } = await db.pool.query<{ id: string; hostname: string }>(
    "SELECT id::text, hostname FROM devices ORDER BY id LIMIT $1",
    [LEGACY],
  );
  for (const row of rows) {
    const spec = byHostname.get(row.hostname);
    if (!spec) throw new Error(`no simulated device ${row.hostname}`);
    await db.pool.query("UPDATE devices SET credentials = $2 WHERE id = $1", [
      row.id,
      sealV1(oldKey, credentialsOf(spec.inventoryAccess)),
    ]);
  }
  api = await group.start("api", { env: keyEnv() });
  await group.start("scheduler", { env: ctx.env });
  await group.start("aggregator", { env: ctx.env });
  await group.start("prober", { env: { ...keyEnv(), PROBER_CONCURRENCY: "8" } });
});

afterAll(async () => {
  await group.stopAll();
  await fleet?.stop();
  await db?.close();
  await ctx?.cleanup();
});

describe("credential key rotation during an operation", () => {
  it("re-seals every device under the new key while probes run, and none fails", async () => {
    const created = await call(
      "POST",
      OPS,
      JSON.stringify({
        operation_type: "bulk_serial_sync",
        target_organizations: [101, 102, 103],
        device_filters: {},
        schedule: { execute_at: new Date().toISOString(), priority: "normal" },
        options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 10 },
      }),
    );
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => ((await operation(id))?.processed_devices > 50 ? true : undefined), {
      timeoutMs: 60_000,
      intervalMs: 100,
      what: `the operation to get going\n${group.dump()}`,
    });

    const report = await rotate();
    const during = await operation(id);
    expect(report).toMatchObject({ key_id: "k2", scanned: DEVICES, resealed: DEVICES, failed: 0 });
    expect(during.processed_devices, "the rotation must end while the operation still runs").toBeLessThan(
      DEVICES,
    );

    const done = await waitFor(
      async () => {
        const op = await operation(id);
        return op && !["scheduled", "in_progress"].includes(op.status) ? op : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: `the operation to finish\n${group.dump()}` },
    );
    expect(done).toMatchObject({
      status: "completed",
      total_devices: DEVICES,
      processed_devices: DEVICES,
      failed_devices: 0,
    });
    const { rows } = await db.pool.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM devices
        WHERE get_byte(credentials, 0) = 2 AND substring(credentials FROM 3 FOR get_byte(credentials, 1)) = 'k2'::bytea`,
    );
    expect(rows[0]?.n).toBe(DEVICES);
  });

  it("a second run has nothing left to do", async () => {
    expect(await rotate()).toMatchObject({
      scanned: DEVICES,
      resealed: 0,
      already_current: DEVICES,
      failed: 0,
    });
  });
});
