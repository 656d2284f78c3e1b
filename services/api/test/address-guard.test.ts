import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICES, device, type Harness, startHarness } from "./harness.js";

/*
 * Devices pointing at link-local, metadata, denied or (without ALLOW_LOOPBACK) loopback addresses are
 * refused with 422 naming `mgmt_address`, on every way a device is saved: create, batch, CSV, PATCH.
 */

const DENIED = "203.0.113.0/24";
const refused = [
  "169.254.169.254",
  "169.254.10.20",
  "fe80::1",
  "[fe80::1%eth0]",
  "fd00:ec2::254",
  "::ffff:169.254.169.254",
  "::ffff:a9fe:a9fe",
  "::169.254.169.254",
  "::ffff:0:169.254.169.254",
  "64:ff9b::a9fe:a9fe",
  "64:ff9b::127.0.0.1",
  "0177.0.0.1",
  "100.100.100.200",
  "203.0.113.9",
  "0.0.0.0",
  "224.0.0.1",
  "127.0.0.1",
  "::1",
  "localhost",
  "LOCALHOST.",
  "metadata.google.internal",
  "127.1",
  "2130706433",
  "0x7f.0.0.1",
  "not a host!",
];
const accepted = ["10.0.0.1", "192.0.2.44", "2001:db8::5", "64:ff9b::a00:1", "router-7.example.net"];

let h: Harness;
let loopback: Harness;
let auth: string;

beforeAll(async () => {
  h = await startHarness({}, { DENIED_NETWORKS: DENIED });
  loopback = await startHarness({}, { ALLOW_LOOPBACK: "true" });
  auth = (await h.token([101])).auth;
});
afterAll(async () => {
  await h?.close();
  await loopback?.close();
});

const post = (app: Harness, payload: unknown, token = auth) =>
  app.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: token },
    payload: payload as object,
  });
const deviceCount = async () => Number((await h.db.pool.query("SELECT count(*) FROM devices")).rows[0].count);

describe("address guard on saved devices", () => {
  it("create: each refused address is a 422 on mgmt_address; the good ones are stored", async () => {
    for (const address of refused) {
      const res = await post(h, device(101, { mgmt_address: address, driver: "snmp" }));
      expect(res.statusCode, address).toBe(422);
      expect(res.json().errors, address).toEqual([{ path: "mgmt_address", message: expect.any(String) }]);
    }
    expect(await deviceCount()).toBe(0);
    for (const address of accepted) {
      expect((await post(h, device(101, { mgmt_address: address }))).statusCode, address).toBe(201);
    }
  });

  it("batch: refused items are named by index and nothing is created", async () => {
    const before = await deviceCount();
    const res = await post(h, [
      device(101, { mgmt_address: "10.9.9.9" }),
      device(101, { mgmt_address: "169.254.169.254" }),
      device(101, { mgmt_address: "fd00:ec2::254" }),
    ]);
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toEqual([
      "1.mgmt_address",
      "2.mgmt_address",
    ]);
    expect(res.json().errors[0].message).toContain("link-local");
    expect(await deviceCount()).toBe(before);
  });

  it("CSV import: refused rows are named by line and nothing is created", async () => {
    const before = await deviceCount();
    const csv = [
      "organization_id,hostname,device_type,mgmt_address",
      "101,csv-ok,router,10.1.1.1",
      "101,csv-meta,router,169.254.169.254",
      "101,csv-deny,router,203.0.113.50",
    ].join("\n");
    const res = await h.app.inject({
      method: "POST",
      url: `${DEVICES}import`,
      headers: { authorization: auth, "content-type": "text/csv" },
      payload: csv,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "line 3.mgmt_address", message: expect.stringContaining("link-local") },
      { path: "line 4.mgmt_address", message: expect.stringContaining(`denied network ${DENIED}`) },
    ]);
    expect(await deviceCount()).toBe(before);
  });

  it("PATCH: moving a device to a refused address is a 422 and leaves it unchanged", async () => {
    const created = await post(h, device(101, { mgmt_address: "10.2.2.2", driver: "snmp" }));
    const id = created.json().id;
    for (const address of ["169.254.169.254", "fe80::abcd", "127.0.0.1", "203.0.113.1"]) {
      const res = await h.app.inject({
        method: "PATCH",
        url: `${DEVICES}${id}`,
        headers: { authorization: auth },
        payload: { mgmt_address: address },
      });
      expect(res.statusCode, address).toBe(422);
      expect(res.json().errors).toEqual([{ path: "mgmt_address", message: expect.any(String) }]);
    }
    const read = await h.app.inject({
      method: "GET",
      url: `${DEVICES}${id}`,
      headers: { authorization: auth },
    });
    expect(read.json().mgmt_address).toBe("10.2.2.2");
  });

  it("loopback is accepted only with ALLOW_LOOPBACK; metadata stays refused even then", async () => {
    const token = (await loopback.token([101])).auth;
    for (const address of ["127.0.0.1", "::1", "127.20.0.5", "localhost"]) {
      expect((await post(loopback, device(101, { mgmt_address: address }), token)).statusCode, address).toBe(
        201,
      );
    }
    for (const address of ["169.254.169.254", "fe80::1", "fd00:ec2::254"]) {
      expect((await post(loopback, device(101, { mgmt_address: address }), token)).statusCode, address).toBe(
        422,
      );
    }
  });
});
