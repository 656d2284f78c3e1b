import { randomInt } from "node:crypto";
import {
  credentialsOf,
  type DeviceSpec,
  expectedProbe,
  type Fleet,
  startFleet,
} from "@headless-ops/device-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ProbeNeeds } from "../src/drivers/driver.js";
import { probeSnmp } from "../src/drivers/snmp/snmp-probe.js";

/*
 * The SNMP driver against the fleet simulator over real UDP on loopback: every device's outcome must be
 * what the simulator says it should be (serial, model, vendor, firmware or the error class).
 */

const all: ProbeNeeds = { serial: true, firmware: true, connectivity: true };
let fleet: Fleet;

function probe(device: DeviceSpec, needs: ProbeNeeds = all, access = device.inventoryAccess) {
  return probeSnmp({
    target: { address: device.address, port: device.port },
    credentials: credentialsOf(access),
    needs,
    timing: { timeoutMs: 1_500, retries: 0 },
    signal: AbortSignal.timeout(5_000),
  });
}

beforeAll(async () => {
  fleet = await startFleet({
    devices: 400,
    seed: 11,
    addressBase: `127.${randomInt(20, 250)}.${randomInt(0, 200)}.0`,
    port: 0,
    v3Share: 0.5,
    faultRate: 0.3,
    stackShare: 0.5,
  });
});
afterAll(() => fleet?.stop());

describe("SNMP driver against the simulator", () => {
  it("reports every device as the simulator says: values or the right error class", async () => {
    const outcomes = await Promise.all(fleet.devices.map((d) => probe(d)));
    let checked = 0;
    fleet.devices.forEach((device, i) => {
      const expected = expectedProbe(device);
      const outcome = outcomes[i];
      if (expected.ok === "either") return;
      checked++;
      if (expected.ok) {
        expect(outcome, device.hostname).toMatchObject({
          ok: true,
          observed: {
            serial: expected.serial,
            model: expected.model,
            vendor: expected.vendor,
            firmware: expected.firmware,
            reachable: true,
            sys_name: device.hostname,
          },
        });
      } else {
        expect(outcome, `${device.hostname} (${device.behaviour}, ${device.access.version})`).toMatchObject({
          ok: false,
          code: expected.code,
        });
      }
    });
    expect(checked).toBeGreaterThan(350);
  });

  it("covers v2c, every v3 level, every fault, stacks and firmware parsed from sysDescr", () => {
    const d = fleet.devices;
    const levels = new Set(d.map((x) => (x.access.version === "v3" ? x.access.level : "v2c")));
    expect([...levels].sort()).toEqual(["authNoPriv", "authPriv", "noAuthNoPriv", "v2c"]);
    expect(new Set(d.map((x) => x.behaviour)).size).toBe(7);
    expect(d.some((x) => x.behaviour === "wrong_credentials" && x.access.version === "v2c")).toBe(true);
    expect(d.some((x) => x.behaviour === "wrong_credentials" && x.access.version === "v3")).toBe(true);
    expect(d.some((x) => x.behaviour === "ok" && x.layout === "stack")).toBe(true);
    expect(d.some((x) => x.behaviour === "ok" && x.layout === "no_chassis_class")).toBe(true);
    expect(d.some((x) => x.behaviour === "ok" && !x.softwareRevExposed)).toBe(true);
  });

  it("reads a stack's chassis at index 1001, not the stack entry at 1", async () => {
    const stack = fleet.devices.find((x) => x.behaviour === "ok" && x.layout === "stack") as DeviceSpec;
    const outcome = await probe(stack);
    expect(outcome).toMatchObject({ ok: true, observed: { serial: stack.serial } });
    expect(stack.memberSerials[0]).not.toBe(stack.serial);
  });

  it("takes the firmware from sysDescr when entPhysicalSoftwareRev is empty", async () => {
    const hidden = fleet.devices.filter((x) => x.behaviour === "ok" && !x.softwareRevExposed).slice(0, 20);
    for (const device of hidden) {
      const outcome = await probe(device, { serial: false, firmware: true, connectivity: false });
      expect(outcome, device.sysDescr).toMatchObject({ ok: true, observed: { firmware: device.firmware } });
    }
  });

  it("reads only what the operation needs", async () => {
    const device = fleet.devices.find((x) => x.behaviour === "ok") as DeviceSpec;
    const before = fleet.stats().requests;
    const outcome = await probe(device, { serial: false, firmware: false, connectivity: true });
    expect(outcome).toMatchObject({ ok: true, observed: { reachable: true } });
    if (outcome.ok) expect(outcome.observed.serial).toBeUndefined();
    expect(fleet.stats().requests - before).toBe(device.access.version === "v3" ? 2 : 1);
  });

  it("tells a wrong v3 key (usmStats report) from a wrong v2c community (silence)", async () => {
    const v3 = fleet.devices.find(
      (x) => x.behaviour === "ok" && x.access.version === "v3" && x.access.level === "authPriv",
    ) as DeviceSpec;
    const v2 = fleet.devices.find((x) => x.behaviour === "ok" && x.access.version === "v2c") as DeviceSpec;
    if (v3.access.version !== "v3" || v2.access.version !== "v2c") throw new Error("fleet lacks devices");
    expect(await probe(v3, all, { ...v3.access, authKey: "not-the-key" })).toMatchObject({
      ok: false,
      code: "authentication_failures",
    });
    expect(await probe(v3, all, { ...v3.access, privKey: "not-the-priv-key" })).toMatchObject({
      ok: false,
      code: "authentication_failures",
    });
    const authOnly = fleet.devices.find(
      (x) => x.behaviour === "ok" && x.access.version === "v3" && x.access.level === "authNoPriv",
    ) as DeviceSpec;
    if (authOnly.access.version !== "v3") throw new Error("fleet lacks devices");
    // Asking for privacy from a user without a privacy key: usmStatsUnsupportedSecLevels.
    const upgraded = {
      ...authOnly.access,
      level: "authPriv" as const,
      privProtocol: "aes" as const,
      privKey: "some-priv-key",
    };
    expect(await probe(authOnly, all, upgraded)).toMatchObject({
      ok: false,
      code: "authentication_failures",
    });
    expect(await probe(v3, all, { ...v3.access, user: "intruder" })).toMatchObject({
      ok: false,
      code: "authentication_failures",
    });
    expect(await probe(v2, all, { ...v2.access, community: "guess" })).toMatchObject({
      ok: false,
      code: "connection_timeouts",
    });
  });

  it("sees a swapped serial on the next probe", async () => {
    const [change] = fleet.swapSerials(1);
    const device = fleet.devices.find((x) => x.hostname === change?.hostname) as DeviceSpec;
    expect(await probe(device)).toMatchObject({ ok: true, observed: { serial: change?.after } });
    expect(change?.after).not.toBe(change?.before);
  });
});

describe("SNMPv3 engine cache", () => {
  it("skips discovery on the next probe of the same device, and still refuses a wrong key", async () => {
    const device = fleet.devices.find(
      (x) =>
        x.behaviour === "ok" &&
        x.access.version === "v3" &&
        x.access.level === "authPriv" &&
        x.layout === "single",
    ) as DeviceSpec;
    if (device.access.version !== "v3") throw new Error("fleet lacks devices");
    const needs = { serial: true, firmware: false, connectivity: false };
    await probe(device, needs);
    const before = fleet.stats().requests;
    expect(await probe(device, needs)).toMatchObject({ ok: true, observed: { serial: device.serial } });
    expect(fleet.stats().requests - before).toBe(1);
    expect(await probe(device, needs, { ...device.access, authKey: "not-the-key" })).toMatchObject({
      ok: false,
      code: "authentication_failures",
    });
    expect(await probe(device, needs)).toMatchObject({ ok: true, observed: { serial: device.serial } });
  });
});
