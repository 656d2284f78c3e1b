import { execFile, spawn } from "node:child_process";
import { randomInt } from "node:crypto";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DeviceSpec, type Fleet, startFleet } from "../src/index.js";

/*
 * The simulator over real UDP, checked with Debian's net-snmp command-line tools (snmpget), so its SNMPv3
 * is right by a third party's reading and not only by our own driver's.
 */

const run = promisify(execFile);
const base = () => `127.${randomInt(20, 250)}.${randomInt(0, 200)}.0`;

async function snmpget(args: string[]): Promise<string> {
  try {
    const { stdout } = await run("snmpget", ["-On", "-t", "1", "-r", "0", ...args], { timeout: 5_000 });
    return stdout;
  } catch (err) {
    return `${(err as { stdout?: string }).stdout ?? ""}${(err as { stderr?: string }).stderr ?? ""}`;
  }
}

const serialOid = (index: number) => `1.3.6.1.2.1.47.1.1.1.1.11.${index}`;
const chassisIndex = (d: DeviceSpec) => (d.layout === "stack" ? 1001 : 1);

describe("fleet server", () => {
  let fleet: Fleet;
  beforeAll(async () => {
    fleet = await startFleet({
      devices: 10_000,
      seed: 21,
      addressBase: base(),
      port: 0,
      v3Share: 0.5,
      stackShare: 0.3,
    });
  });
  afterAll(() => fleet?.stop());

  it("starts 10,000 devices in one process within seconds", () => {
    expect(fleet.devices).toHaveLength(10_000);
    expect(fleet.startupMs).toBeLessThan(5_000);
  });

  it("answers snmpget over v2c and SNMPv3 authPriv (AES) and authNoPriv, and refuses a wrong v3 password", async () => {
    const v2 = fleet.devices.find((d) => d.access.version === "v2c") as DeviceSpec;
    const priv = fleet.devices.find(
      (d) => d.access.version === "v3" && d.access.level === "authPriv" && d.access.authProtocol === "sha256",
    ) as DeviceSpec;
    const auth = fleet.devices.find(
      (d) => d.access.version === "v3" && d.access.level === "authNoPriv" && d.access.authProtocol === "sha",
    ) as DeviceSpec;
    if (v2.access.version !== "v2c" || priv.access.version !== "v3" || auth.access.version !== "v3")
      throw new Error("fleet lacks devices");
    const at = (d: DeviceSpec) => `${d.address}:${d.port}`;
    expect(await snmpget(["-v2c", "-c", v2.access.community, at(v2), serialOid(chassisIndex(v2))])).toContain(
      `"${v2.serial}"`,
    );
    const p = priv.access;
    expect(
      await snmpget([
        "-v3",
        "-l",
        "authPriv",
        "-u",
        p.user,
        "-a",
        "SHA-256",
        "-A",
        p.authKey ?? "",
        "-x",
        "AES",
        "-X",
        p.privKey ?? "",
        at(priv),
        serialOid(chassisIndex(priv)),
      ]),
    ).toContain(`"${priv.serial}"`);
    const a = auth.access;
    expect(
      await snmpget([
        "-v3",
        "-l",
        "authNoPriv",
        "-u",
        a.user,
        "-a",
        "SHA",
        "-A",
        a.authKey ?? "",
        at(auth),
        "1.3.6.1.2.1.1.5.0",
      ]),
    ).toContain(`"${auth.hostname}"`);
    expect(
      await snmpget([
        "-v3",
        "-l",
        "authNoPriv",
        "-u",
        a.user,
        "-a",
        "SHA",
        "-A",
        "wrong-password",
        at(auth),
        "1.3.6.1.2.1.1.5.0",
      ]),
    ).toMatch(/Authentication failure/);
    expect(
      await snmpget([
        "-v3",
        "-l",
        "authPriv",
        "-u",
        p.user,
        "-a",
        "SHA-256",
        "-A",
        p.authKey ?? "",
        "-x",
        "AES",
        "-X",
        "wrong-privkey",
        at(priv),
        "1.3.6.1.2.1.1.5.0",
      ]),
    ).toMatch(/Decryption error/);
  });

  it("swaps serials of answering devices and reports which", async () => {
    const changes = fleet.swapSerials(50);
    expect(changes).toHaveLength(50);
    expect(new Set(changes.map((c) => c.hostname)).size).toBe(50);
    const c = changes[0];
    const d = fleet.devices.find((x) => x.hostname === c?.hostname) as DeviceSpec;
    expect(d.serial).toBe(c?.after);
    if (d.access.version === "v2c") {
      expect(
        await snmpget([
          "-v2c",
          "-c",
          d.access.community,
          `${d.address}:${d.port}`,
          serialOid(chassisIndex(d)),
        ]),
      ).toContain(`"${c?.after}"`);
    }
  });
});

describe("sim CLI", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "sim-cli-"));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it("serves the fleet, writes the CSV and stops cleanly on SIGTERM", async () => {
    const out = join(dir, "devices.csv");
    const cli = new URL("../dist/cli.js", import.meta.url).pathname;
    const child = spawn(
      process.execPath,
      [cli, "--devices", "200", "--seed", "7", "--out", out, "--port", "0", "--address-base", base()],
      { stdio: ["ignore", "pipe", "inherit"] },
    );
    const lines = createInterface({ input: child.stdout });
    const ready = await new Promise<{ devices: number; startupMs: number }>((resolve, reject) => {
      lines.once("line", (line) => resolve(JSON.parse(line)));
      child.once("exit", (code) => reject(new Error(`sim exited with ${code}`)));
    });
    expect(ready).toMatchObject({ devices: 200 });
    const csv = (await readFile(out, "utf8")).trimEnd().split("\n");
    expect(csv[0]).toMatch(
      /^organization_id,hostname,device_type,status,mgmt_address,mgmt_port,driver,snmp_version,/,
    );
    expect(csv).toHaveLength(201);
    const exit = new Promise<number | null>((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    expect(await exit).toBe(0);
  });
});
