import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createSocket } from "node:dgram";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { SnmpCredentials } from "@headless-ops/contracts";
import { createDb } from "@headless-ops/db";
import { createCredentialSealer, loadConfig } from "@headless-ops/runtime";
import { createTestContext, type TestContext, waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProbeNeeds, ProbeRequest } from "../src/drivers/driver.js";
import { createSnmpDriver } from "../src/drivers/snmp/snmp-driver.js";
import { probeSnmp } from "../src/drivers/snmp/snmp-probe.js";

/*
 * The SNMP driver against an agent nobody here wrote: Debian's net-snmp snmpd, started on a free loopback
 * port with a generated configuration (a v2c community, SNMPv3 users, an ENTITY-MIB chassis entry served
 * through `override`, and a Cisco IOS sysDescr so the firmware has to be parsed).
 */

const serial = "FOC2233X0AB";
const community = "public-test";
const v3AuthPriv: SnmpCredentials = {
  version: "v3",
  user: "inventory",
  security_level: "authPriv",
  auth_protocol: "sha256",
  auth_key: "auth-pass-123",
  priv_protocol: "aes",
  priv_key: "priv-pass-123",
};
const v3AuthNoPriv: SnmpCredentials = {
  version: "v3",
  user: "authonly",
  security_level: "authNoPriv",
  auth_protocol: "sha",
  auth_key: "auth-pass-456",
};
const all: ProbeNeeds = { serial: true, firmware: true, connectivity: true };

function snmpdConfig(port: number): string {
  const ent = "1.3.6.1.2.1.47.1.1.1.1";
  return [
    `agentaddress udp:127.0.0.1:${port}`,
    `rocommunity ${community} 127.0.0.1`,
    `createUser inventory SHA-256 "auth-pass-123" AES "priv-pass-123"`,
    "rouser inventory priv",
    `createUser authonly SHA "auth-pass-456"`,
    "rouser authonly auth",
    "sysDescr Cisco IOS Software, C2960X Software (C2960X-UNIVERSALK9-M), Version 15.2(7)E8, RELEASE SOFTWARE (fc1)",
    "sysName snmpd-under-test",
    "sysObjectID .1.3.6.1.4.1.9.1.1208",
    `override .${ent}.5.1 integer 3`,
    `override .${ent}.10.1 octet_str ""`,
    `override .${ent}.11.1 octet_str "${serial}"`,
    `override .${ent}.12.1 octet_str "Cisco Systems, Inc."`,
    `override .${ent}.13.1 octet_str "WS-C2960X-48FPD-L"`,
    "",
  ].join("\n");
}

function freeUdpPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = createSocket("udp4");
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => {
      const { port } = socket.address();
      socket.close(() => resolve(port));
    });
  });
}

let snmpd: ChildProcess;
let dir: string;
let port: number;

const probe = (credentials: SnmpCredentials, needs = all, target = { address: "127.0.0.1", port }) =>
  probeSnmp({
    target,
    credentials,
    needs,
    timing: { timeoutMs: 500, retries: 0 },
    signal: AbortSignal.timeout(5_000),
  });

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "snmpd-test-"));
  port = await freeUdpPort();
  await writeFile(join(dir, "snmpd.conf"), snmpdConfig(port));
  snmpd = spawn("snmpd", ["-f", "-Le", "-C", "-c", join(dir, "snmpd.conf"), "-p", join(dir, "pid")], {
    env: { PATH: "/usr/sbin:/usr/bin:/sbin:/bin", SNMP_PERSISTENT_DIR: join(dir, "persist") },
    stdio: "ignore",
  });
  const failedToStart = new Promise<never>((_, reject) => {
    snmpd.once("error", (err) =>
      reject(new Error(`snmpd could not start (apt-get install -y snmpd): ${err.message}`)),
    );
  });
  await Promise.race([
    failedToStart,
    waitFor(
      async () =>
        (await probe({ version: "v2c", community }, { serial: false, firmware: false, connectivity: true }))
          .ok
          ? true
          : undefined,
      {
        timeoutMs: 10_000,
        what: "snmpd to answer",
      },
    ),
  ]);
});

afterAll(async () => {
  if (snmpd && snmpd.exitCode === null) {
    const exited = new Promise((resolve) => snmpd.once("exit", resolve));
    snmpd.kill("SIGTERM");
    await exited;
  }
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe("SNMP driver against Debian's snmpd", () => {
  it("reads serial, model, vendor and the firmware parsed from sysDescr over SNMPv3 authPriv (SHA-256, AES)", async () => {
    expect(await probe(v3AuthPriv)).toMatchObject({
      ok: true,
      observed: {
        serial,
        model: "WS-C2960X-48FPD-L",
        vendor: "Cisco",
        firmware: "15.2(7)E8",
        sys_name: "snmpd-under-test",
        reachable: true,
      },
    });
  });

  it("reads the serial over SNMPv3 authNoPriv (SHA) and over v2c", async () => {
    expect(await probe(v3AuthNoPriv)).toMatchObject({ ok: true, observed: { serial } });
    expect(await probe({ version: "v2c", community })).toMatchObject({ ok: true, observed: { serial } });
  });

  it("reports a wrong v3 password or an unknown user as authentication_failures", async () => {
    expect(await probe({ ...v3AuthPriv, auth_key: "wrong-password" })).toMatchObject({
      ok: false,
      code: "authentication_failures",
    });
    expect(await probe({ ...v3AuthNoPriv, user: "nobody" })).toMatchObject({
      ok: false,
      code: "authentication_failures",
    });
  });

  it("reports a wrong community as connection_timeouts: a v2c agent stays silent", async () => {
    expect(await probe({ version: "v2c", community: "not-the-community" })).toMatchObject({
      ok: false,
      code: "connection_timeouts",
    });
  });

  it("reports a port nobody listens on as unreachable", async () => {
    const closed = await freeUdpPort();
    expect(
      await probe({ version: "v2c", community }, all, { address: "127.0.0.1", port: closed }),
    ).toMatchObject({ ok: false, code: "unreachable" });
  });
});

describe("SNMP driver with sealed credentials from Postgres", () => {
  let ctx: TestContext;
  let db: ReturnType<typeof createDb>;
  const key = randomBytes(32).toString("base64");

  beforeAll(async () => {
    ctx = await createTestContext();
    db = createDb({ url: ctx.databaseUrl, max: 2 });
    const sealer = createCredentialSealer(key);
    const seal = (id: number, address: string, p: number) =>
      sealer.seal(v3AuthPriv, { deviceId: id, organizationId: 101, address, port: p });
    await db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'org 101')");
    const insert =
      "INSERT INTO devices (id, organization_id, hostname, device_type, mgmt_address, mgmt_port, driver, credentials) VALUES ($1, 101, $2, 'switch', $3, $4, 'snmp', $5)";
    await db.pool.query(insert, [1, "snmpd", "127.0.0.1", port, seal(1, "127.0.0.1", port)]);
    await db.pool.query(insert, [2, "metadata", "169.254.169.254", 161, seal(2, "169.254.169.254", 161)]);
    await db.pool.query(insert, [3, "no-creds", "127.0.0.1", port, null]);
  });
  afterAll(async () => {
    await db?.close();
    await ctx?.cleanup();
  });

  const request = (deviceId: string): ProbeRequest => ({
    device: { device_id: deviceId, driver: "snmp" },
    operationType: "bulk_serial_sync",
    options: { update_firmware_info: true, validate_connectivity: false },
    needs: { serial: true, firmware: true, connectivity: false },
    attempt: 1,
    signal: AbortSignal.timeout(5_000),
    timeoutMs: 5_000,
  });

  it("opens the device's credentials just in time, re-checks the address and probes", async () => {
    const config = loadConfig({ ...ctx.env, CREDENTIAL_KEY: key, ALLOW_LOOPBACK: "true" });
    const driver = createSnmpDriver({ config, pool: db.pool });
    const [ok, guarded, missing] = await Promise.all([
      driver.probe(request("1")),
      driver.probe(request("2")),
      driver.probe(request("3")),
    ]);
    expect(ok).toMatchObject({ ok: true, observed: { serial, firmware: "15.2(7)E8" } });
    expect(guarded).toMatchObject({
      ok: false,
      code: "unreachable",
      message: expect.stringContaining("address guard"),
    });
    expect(missing).toMatchObject({ ok: false, code: "authentication_failures" });
    expect(JSON.stringify([ok, guarded, missing])).not.toContain("pass-123");
  });

  it("refuses loopback unless ALLOW_LOOPBACK is on", async () => {
    const driver = createSnmpDriver({
      config: loadConfig({ ...ctx.env, CREDENTIAL_KEY: key }),
      pool: db.pool,
    });
    expect(await driver.probe(request("1"))).toMatchObject({ ok: false, code: "unreachable" });
  });
});
