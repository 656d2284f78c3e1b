import { randomBytes } from "node:crypto";
import { createSocket, type Socket } from "node:dgram";
import { createDb, type DbHandle } from "@headless-ops/db";
import { createCredentialSealer, loadConfig } from "@headless-ops/runtime";
import { createTestContext, type TestContext } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProbeRequest } from "../src/drivers/driver.js";
import { createSnmpDriver } from "../src/drivers/snmp/index.js";

/*
 * Defence in depth: the SNMP community is only ever sent to the address and port stored with it in
 * Postgres, never to an address or port named by a job message (which anyone able to publish a job,
 * or forge one, controls). Two UDP sockets on loopback stand for the device and for an attacker.
 */

const key = randomBytes(32).toString("hex");
const community = `canary-${randomBytes(6).toString("hex")}`;
let ctx: TestContext;
let db: DbHandle;
let device: { socket: Socket; port: number; packets: Buffer[] };
let attacker: { socket: Socket; port: number; packets: Buffer[] };

async function listener(): Promise<{ socket: Socket; port: number; packets: Buffer[] }> {
  const socket = createSocket("udp4");
  const packets: Buffer[] = [];
  socket.on("message", (m) => packets.push(m));
  await new Promise<void>((resolve) => socket.bind(0, "127.0.0.1", resolve));
  return { socket, port: socket.address().port, packets };
}

const request = (deviceId: string, address: string, port: number): ProbeRequest => ({
  device: { device_id: deviceId, driver: "snmp", address, port },
  operationType: "bulk_serial_sync",
  options: { update_firmware_info: false, validate_connectivity: false },
  needs: { serial: true, firmware: false, connectivity: false },
  attempt: 1,
  signal: AbortSignal.timeout(2_000),
  timeoutMs: 600,
});

beforeAll(async () => {
  ctx = await createTestContext();
  db = createDb({ url: ctx.databaseUrl, max: 2, applicationName: "snmp-target-test" });
  device = await listener();
  attacker = await listener();
  const sealer = createCredentialSealer(key);
  const seal = (deviceId: number, address: string | null, port: number | null) =>
    sealer.seal({ version: "v2c", community }, { deviceId, organizationId: 101, address, port });
  await db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'org 101')");
  const insert =
    "INSERT INTO devices (id, organization_id, hostname, device_type, mgmt_address, mgmt_port, driver, credentials) VALUES ($1, 101, $2, 'switch', $3, $4, 'snmp', $5)";
  await db.pool.query(insert, [1, "stored", "127.0.0.1", device.port, seal(1, "127.0.0.1", device.port)]);
  await db.pool.query(insert, [2, "no-address", null, null, seal(2, null, null)]);
  await db.pool.query(insert, [3, "no-port", "127.0.0.1", null, seal(3, "127.0.0.1", null)]);
});

afterAll(async () => {
  device?.socket.close();
  attacker?.socket.close();
  await db?.close();
  await ctx?.cleanup();
});

describe("where the prober sends stored credentials", () => {
  const driver = () =>
    createSnmpDriver({
      config: loadConfig({ ...ctx.env, CREDENTIAL_KEY: key, ALLOW_LOOPBACK: "true", SNMP_RETRIES: "0" }),
      pool: db.pool,
    });
  const carries = (packets: Buffer[]) => packets.some((p) => p.includes(community));

  it("probes the stored address and port, not the ones a job message names", async () => {
    await driver().probe(request("1", "127.0.0.1", attacker.port));
    expect(carries(device.packets), "the stored device got the probe").toBe(true);
    expect(attacker.packets).toEqual([]);
  });

  it("does not fall back to the job's address when none is stored", async () => {
    const outcome = await driver().probe(request("2", "127.0.0.1", attacker.port));
    expect(outcome).toMatchObject({
      ok: false,
      code: "unreachable",
      message: "device has no management address",
    });
    await new Promise((r) => setTimeout(r, 200));
    expect(attacker.packets).toEqual([]);
  });

  it("uses the SNMP default port, not the job's, when no port is stored", async () => {
    await driver().probe(request("3", "127.0.0.1", attacker.port));
    await new Promise((r) => setTimeout(r, 200));
    expect(attacker.packets).toEqual([]);
  });
});
