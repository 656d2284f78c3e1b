import { DeviceView } from "@headless-ops/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICES, device, type Harness, startHarness } from "./harness.js";

let h: Harness;
let auth: string;
const SECRET = "community-s3cret-42";

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102])).auth;
});
afterAll(() => h?.close());

const req = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, token = auth) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: token },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

describe("devices", () => {
  it("creates one device and never returns or stores its credentials in clear", async () => {
    const res = await req(
      "POST",
      DEVICES,
      device(101, {
        hostname: "core-1",
        driver: "snmp",
        mgmt_address: "10.0.0.1",
        mgmt_port: 161,
        credentials: { version: "v2c", community: SECRET },
        sim: { latency_ms: 5, fail_rate: 0.1 },
      }),
    );
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(DeviceView.safeParse(body).error).toBeUndefined();
    expect(body).toMatchObject({
      hostname: "core-1",
      driver: "snmp",
      has_credentials: true,
      status: "active",
    });
    expect(body.sim).toMatchObject({ latency_ms: 5, fail_rate: 0.1, fail_code: "connection_timeouts" });
    expect(res.body).not.toContain(SECRET);
    expect(body).not.toHaveProperty("credentials");
    const stored = await h.db.pool.query<{ credentials: Buffer }>(
      "SELECT credentials FROM devices WHERE id = $1",
      [body.id],
    );
    expect(stored.rows[0]?.credentials.toString("latin1")).not.toContain(SECRET);
    for (const url of [`${DEVICES}${body.id}`, `${DEVICES}?hostname=core-1`]) {
      const read = await req("GET", url);
      expect(read.statusCode).toBe(200);
      expect(read.body).not.toContain(SECRET);
    }
    const v3 = await req(
      "POST",
      DEVICES,
      device(101, {
        driver: "snmp",
        mgmt_address: "10.0.0.2",
        credentials: {
          version: "v3",
          user: "ops",
          security_level: "authPriv",
          auth_protocol: "sha",
          auth_key: "authkey-123",
        },
      }),
    );
    expect(v3.statusCode).toBe(422);
    expect(v3.json().errors.map((e: { path: string }) => e.path)).toEqual(["credentials.priv_key"]);
    expect(v3.body).not.toContain("authkey-123");
  });

  it("creates a batch all or nothing, naming each bad item by its index", async () => {
    const bad = await req("POST", DEVICES, [
      device(101),
      device(101, { device_type: "toaster" }),
      device(102, { hostname: "" }),
      device(101, { driver: "snmp" }),
      device(101, { extra: 1 }),
    ]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual([
      "1.device_type",
      "2.hostname",
      "3.mgmt_address",
      "4.extra",
    ]);
    const dupes = await req("POST", DEVICES, [
      device(101, { hostname: "twin" }),
      device(101, { hostname: "twin" }),
    ]);
    expect(dupes.statusCode).toBe(422);
    expect(dupes.json().errors).toEqual([{ path: "1.hostname", message: "duplicate of 0 in this request" }]);
    const before = await req("GET", `${DEVICES}?page_size=1`);
    const batch = Array.from({ length: 1_500 }, (_, i) =>
      device(i % 2 === 0 ? 101 : 102, { hostname: `bulk-${i}` }),
    );
    const ok = await req("POST", DEVICES, batch);
    expect(ok.statusCode).toBe(201);
    expect(ok.json().count).toBe(1_500);
    expect(ok.json().results[1_499].hostname).toBe("bulk-1499");
    const after = await req("GET", `${DEVICES}?page_size=1`);
    expect(after.json().count).toBe(before.json().count + 1_500);
    const clash = await req("POST", DEVICES, [device(101), device(101, { hostname: "bulk-0" })]);
    expect(clash.statusCode).toBe(409);
    expect(clash.json().errors).toEqual([
      { path: "1.hostname", message: "bulk-0 already exists in organization 101" },
    ]);
  });

  it("refuses devices for organizations outside the token (403) and unknown organizations (422)", async () => {
    const foreign = await req("POST", DEVICES, [device(101), device(103)]);
    expect(foreign.statusCode).toBe(403);
    expect(foreign.json().errors[0].path).toBe("1.organization_id");
    const { auth: wide } = await h.token([101, 999]);
    const unknown = await req("POST", DEVICES, device(999), wide);
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json().errors[0]).toEqual({
      path: "organization_id",
      message: "organization 999 does not exist",
    });
  });

  it("keeps tenants apart by list and by id, with the same 404 for foreign and unknown ids", async () => {
    const { auth: only102 } = await h.token([102]);
    const mine = (await req("POST", DEVICES, device(101, { hostname: "tenant-a" }))).json();
    const list = await req("GET", `${DEVICES}?page_size=200&hostname=tenant-a`, undefined, only102);
    expect(list.json().count).toBe(0);
    const all = await req("GET", `${DEVICES}?page_size=200`, undefined, only102);
    for (const d of all.json().results) expect(d.organization_id).toBe(102);
    const foreign = await req("GET", `${DEVICES}${mine.id}`, undefined, only102);
    const unknown = await req("GET", `${DEVICES}987654321`, undefined, only102);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toBe(unknown.body);
    expect((await req("PATCH", `${DEVICES}${mine.id}`, { status: "offline" }, only102)).statusCode).toBe(404);
    expect((await req("DELETE", `${DEVICES}${mine.id}`, undefined, only102)).statusCode).toBe(404);
  });

  it("patches, filters and deletes; a viewer may only read", async () => {
    const created = (
      await req("POST", DEVICES, device(102, { hostname: "edge-9", device_type: "gateway" }))
    ).json();
    const patched = await req("PATCH", `${DEVICES}${created.id}`, {
      status: "maintenance",
      serial: "SN-1",
      vendor: null,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      status: "maintenance",
      serial: "SN-1",
      vendor: null,
      hostname: "edge-9",
    });
    const badPatch = await req("PATCH", `${DEVICES}${created.id}`, { organization_id: 101 });
    expect(badPatch.statusCode).toBe(422);
    const filtered = await req("GET", `${DEVICES}?device_type=gateway&status=maintenance`);
    expect(filtered.json().results.map((d: { id: string }) => d.id)).toEqual([created.id]);
    const viewer = await h.token([102], "viewer");
    expect((await req("GET", `${DEVICES}${created.id}`, undefined, viewer.auth)).statusCode).toBe(200);
    expect((await req("DELETE", `${DEVICES}${created.id}`, undefined, viewer.auth)).statusCode).toBe(403);
    expect((await req("POST", DEVICES, device(102), viewer.auth)).statusCode).toBe(403);
    expect((await req("DELETE", `${DEVICES}${created.id}`)).statusCode).toBe(204);
    expect((await req("GET", `${DEVICES}${created.id}`)).statusCode).toBe(404);
  });
});

describe("POST /devices/import", () => {
  const csv = (lines: string[]) =>
    h.app.inject({
      method: "POST",
      url: `${DEVICES}import`,
      headers: { authorization: auth, "content-type": "text/csv" },
      payload: lines.join("\n"),
    });

  it("imports every row or none, naming bad rows by line", async () => {
    const bad = await csv([
      "organization_id,hostname,device_type,status,driver,mgmt_address,snmp_version,community",
      "101,csv-1,router,active,simulated,,,",
      "101,csv-2,blender,active,simulated,,,",
      "102,csv-3,switch,asleep,snmp,,v2c,hidden-community",
    ]);
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toEqual([
      "line 3.device_type",
      "line 4.status",
    ]);
    expect(bad.body).not.toContain("hidden-community");
    expect((await req("GET", `${DEVICES}?hostname=csv-1`)).json().count).toBe(0);

    const ok = await csv([
      "organization_id,hostname,device_type,driver,mgmt_address,snmp_version,community,sim_fail_rate",
      "101,csv-1,router,snmp,192.0.2.1,v2c,hidden-community,",
      "102,csv-2,switch,simulated,,,,0.5",
    ]);
    expect(ok.statusCode).toBe(201);
    expect(ok.json()).toEqual({ created: 2 });
    const listed = await req("GET", `${DEVICES}?hostname=csv-1`);
    expect(listed.json().results[0]).toMatchObject({ has_credentials: true, mgmt_address: "192.0.2.1" });
    const again = await csv(["organization_id,hostname,device_type", "101,csv-1,router"]);
    expect(again.statusCode).toBe(409);
    expect(again.json().errors[0].path).toBe("line 2.hostname");
  });

  it("answers 422 for unknown columns and 400 for broken CSV", async () => {
    const cols = await csv(["organization_id,hostname,device_type,colour", "101,x,router,red"]);
    expect(cols.statusCode).toBe(422);
    expect(cols.json().errors).toEqual([{ path: "header.colour", message: "unknown column" }]);
    const broken = await csv(["organization_id,hostname,device_type", '101,"x,router']);
    expect(broken.statusCode).toBe(400);
  });
});
