import { createCipheriv, randomBytes, randomInt } from "node:crypto";
import { createDb } from "@headless-ops/db";
import { credentialsOf, type DeviceSpec, type Fleet, startFleet } from "@headless-ops/device-sim";
import { createCredentialSealer, loadConfig } from "@headless-ops/runtime";
import { createTestContext, type TestContext } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProbeRequest } from "../src/drivers/driver.js";
import { createSnmpDriver } from "../src/drivers/snmp/index.js";

/*
 * The prober opens a device's credentials only for the row they were sealed for: a ciphertext copied
 * to another device, or left behind by an address changed in the database, fails the probe with
 * authentication_failures and says why; values sealed before binding existed still open.
 */

let ctx: TestContext;
let db: ReturnType<typeof createDb>;
let fleet: Fleet;
const [k1, k2] = [randomBytes(32).toString("base64"), randomBytes(32).toString("base64")];

const request = (deviceId: string): ProbeRequest => ({
  device: { device_id: deviceId, driver: "snmp" },
  operationType: "bulk_serial_sync",
  options: { update_firmware_info: false, validate_connectivity: false },
  needs: { serial: true, firmware: false, connectivity: false },
  attempt: 1,
  signal: AbortSignal.timeout(5_000),
  timeoutMs: 5_000,
});

async function insert(id: number, d: DeviceSpec, credentials: Buffer): Promise<void> {
  await db.pool.query(
    `INSERT INTO devices (id, organization_id, hostname, device_type, mgmt_address, mgmt_port, driver, credentials)
     VALUES ($1, 101, $2, 'switch', $3, $4, 'snmp', $5)`,
    [id, `${d.hostname}-${id}`, d.address, d.port, credentials],
  );
}

/** Seals under CREDENTIAL_KEY=k1 (key id `default`) or CREDENTIAL_KEYS=k2:… (key id `k2`). */
function sealFor(key: "k1" | "k2", id: number, d: DeviceSpec): Buffer {
  const sealer = key === "k1" ? createCredentialSealer(k1) : createCredentialSealer(undefined, `k2:${k2}`);
  return sealer.seal(credentialsOf(d.access), {
    deviceId: id,
    organizationId: 101,
    address: d.address,
    port: d.port,
  });
}

/** The format written before binding and key ids: [1][iv][tag][ciphertext], no additional data. */
function sealV1(key: string, value: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(key, "base64"), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
}

const driverWith = (env: Record<string, string>) =>
  createSnmpDriver({ config: loadConfig({ ...ctx.env, ALLOW_LOOPBACK: "true", ...env }), pool: db.pool });

beforeAll(async () => {
  ctx = await createTestContext();
  db = createDb({ url: ctx.databaseUrl, max: 2 });
  fleet = await startFleet({
    devices: 8,
    seed: 5,
    addressBase: `127.${randomInt(20, 250)}.${randomInt(0, 200)}.0`,
    port: 0,
    v3Share: 0.5,
    faultRate: 0,
  });
  await db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'a')");
  const [a, b, c, d] = fleet.devices as [DeviceSpec, DeviceSpec, DeviceSpec, DeviceSpec];
  await insert(1, a, sealFor("k1", 1, a));
  await insert(2, b, sealFor("k1", 1, a)); // device 1's ciphertext copied onto device 2
  await insert(3, c, sealFor("k1", 3, c));
  await db.pool.query("UPDATE devices SET mgmt_port = mgmt_port + 1 WHERE id = 3"); // moved behind the API's back
  await insert(4, d, sealV1(k1, credentialsOf(d.access)));
  const e = fleet.devices[4] as DeviceSpec;
  await insert(5, e, sealFor("k2", 5, e));
});
afterAll(async () => {
  await fleet?.stop();
  await db?.close();
  await ctx?.cleanup();
});

describe("credentials bound to their device", () => {
  it("probes the device they were sealed for", async () => {
    const driver = driverWith({ CREDENTIAL_KEY: k1 });
    expect(await driver.probe(request("1"))).toMatchObject({
      ok: true,
      observed: { serial: fleet.devices[0]?.serial },
    });
  });

  it("reports a ciphertext copied from another row, or a moved row, as authentication_failures", async () => {
    const driver = driverWith({ CREDENTIAL_KEY: k1 });
    for (const id of ["2", "3"]) {
      expect(await driver.probe(request(id)), `device ${id}`).toEqual({
        ok: false,
        code: "authentication_failures",
        message: expect.stringContaining("stored SNMP credentials do not belong to this device"),
      });
    }
  });

  it("still opens credentials sealed before binding existed (format 1), with any held key", async () => {
    const driver = driverWith({ CREDENTIAL_KEYS: `k2:${k2},k1:${k1}` });
    expect(await driver.probe(request("4"))).toMatchObject({
      ok: true,
      observed: { serial: fleet.devices[3]?.serial },
    });
  });

  it("opens rows of every held key, and names a key id it does not hold", async () => {
    const rotating = driverWith({ CREDENTIAL_KEY: k1, CREDENTIAL_KEYS: `k2:${k2}` });
    expect(await rotating.probe(request("1"))).toMatchObject({ ok: true });
    const newOnly = driverWith({ CREDENTIAL_KEYS: `k2:${k2}` });
    const [unknown, other] = await Promise.allSettled([
      newOnly.probe(request("1")),
      newOnly.probe(request("5")),
    ]);
    expect(unknown).toMatchObject({
      status: "rejected",
      reason: expect.objectContaining({ message: expect.stringMatching(/key id "default"/) }),
    });
    expect(other, "a row this prober cannot open fails its own probe only").toMatchObject({
      status: "fulfilled",
      value: { ok: true },
    });
  });
});
