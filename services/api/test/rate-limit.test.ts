import { DryRunView, OperationCreatedView, OrganizationView } from "@headless-ops/contracts";
import { runScript } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, OPS, referenceBody, startHarness } from "./harness.js";

/*
 * The probe rate limit as a client sets it: `options.max_devices_per_second` on the operation POST
 * (and a schedule's body), shown back in the POST and GET; an organization's default through
 * `PATCH /api/v1/organizations/{id}` (admins only); dry runs estimate with the effective limit.
 */

const ORGS = "/api/v1/organizations/";
const SCHEDULES = "/api/v1/schedules/";
let h: Harness;
let admin: string;
let operator: string;
let viewer: string;
let otherAdmin: string;

beforeAll(async () => {
  h = await startHarness();
  admin = (await h.token([101, 102], "admin")).auth;
  operator = (await h.token([101, 102], "operator")).auth;
  viewer = (await h.token([101, 102], "viewer")).auth;
  otherAdmin = (await h.token([103], "admin")).auth;
  // 6,000 simulated routers in 101 and 102 (for the dry run's estimate).
  await h.db.pool.query(
    `INSERT INTO devices (organization_id, hostname, device_type, driver)
     SELECT 101 + (g % 2), 'r-' || g, 'router', 'simulated' FROM generate_series(1, 6000) g`,
  );
});
afterAll(() => h?.close());

const call = (method: "GET" | "POST" | "PATCH", url: string, payload: unknown, auth = admin) =>
  h.app.inject({
    method,
    url,
    headers: {
      authorization: auth,
      ...(typeof payload === "string" ? { "content-type": "application/json" } : {}),
    },
    ...(payload === undefined ? {} : { payload: payload as string }),
  });

const withRate = (rate: unknown, extra: Record<string, unknown> = {}) => {
  const body = referenceBody([101, 102]);
  return { ...body, options: { ...(body.options as object), max_devices_per_second: rate }, ...extra };
};

describe("options.max_devices_per_second on the operation POST", () => {
  it("is stored and shown back in the POST's and the GET's operation_config", async () => {
    const res = await call("POST", OPS, withRate(500));
    expect(res.statusCode, res.body).toBe(201);
    const created = OperationCreatedView.parse(res.json());
    expect(created.operation_config.options).toEqual({
      update_firmware_info: true,
      validate_connectivity: true,
      timeout_minutes: 120,
      max_devices_per_second: 500,
    });
    const got = await call("GET", `${OPS}?id=${created.id}`, undefined, viewer);
    expect(got.json().results[0].operation_config.options.max_devices_per_second).toBe(500);
  });

  it("is absent when not asked for", async () => {
    const res = await call("POST", OPS, referenceBody([101]));
    expect(res.statusCode).toBe(201);
    expect(res.json().operation_config.options).not.toHaveProperty("max_devices_per_second");
  });

  it.each([0, -5, 2.5, "500", 100_001, null])("answers 422 naming the field for %j", async (rate) => {
    const res = await call("POST", OPS, withRate(rate));
    expect(res.statusCode).toBe(422);
    expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(
      "options.max_devices_per_second",
    );
  });

  it("is accepted in a schedule's body, validated the same way", async () => {
    const body = {
      operation_type: "bulk_serial_sync",
      target_organizations: [101],
      cron: "0 2 * * *",
      timezone: "UTC",
    };
    const ok = await call("POST", SCHEDULES, { ...body, options: { max_devices_per_second: 50 } });
    expect(ok.statusCode, ok.body).toBe(201);
    expect(ok.json().options.max_devices_per_second).toBe(50);
    const bad = await call("POST", SCHEDULES, { ...body, options: { max_devices_per_second: 0 } });
    expect(bad.statusCode).toBe(422);
    expect(bad.json().errors.map((e: { path: string }) => e.path)).toContain(
      "options.max_devices_per_second",
    );
  });

  it("makes the dry run's estimate honour it (6,000 devices at 10/s: 10 minutes)", async () => {
    const res = await call(
      "POST",
      OPS,
      withRate(10, { dry_run: true, device_filters: { types: ["router"] } }),
    );
    expect(res.statusCode, res.body).toBe(200);
    const view = DryRunView.parse(res.json());
    expect(view.target_device_count).toBe(6000);
    expect(view.estimated_duration_minutes).toBe(10);
    const unlimited = await call("POST", OPS, { ...referenceBody([101, 102]), dry_run: true });
    expect(unlimited.json().estimated_duration_minutes).toBe(1);
  });
});

describe("PATCH /api/v1/organizations/{id}: the organization's default", () => {
  it("an admin sets it, any role of the organization reads it, null removes it", async () => {
    const set = await call("PATCH", `${ORGS}101`, { max_devices_per_second: 300 });
    expect(set.statusCode, set.body).toBe(200);
    expect(OrganizationView.parse(set.json())).toMatchObject({
      id: 101,
      name: "Acme",
      max_devices_per_second: 300,
    });
    const read = await call("GET", `${ORGS}101`, undefined, viewer);
    expect(read.statusCode).toBe(200);
    expect(read.json().max_devices_per_second).toBe(300);
    const unchanged = await call("PATCH", `${ORGS}101`, {});
    expect(unchanged.json().max_devices_per_second).toBe(300);
    const cleared = await call("PATCH", `${ORGS}101`, { max_devices_per_second: null });
    expect(cleared.json().max_devices_per_second).toBeNull();
    const stored = await h.db.pool.query("SELECT max_devices_per_second FROM organizations WHERE id = 101");
    expect(stored.rows[0].max_devices_per_second).toBeNull();
  });

  it("applies to operations that set no option: the smallest default of their organizations", async () => {
    await call("PATCH", `${ORGS}101`, { max_devices_per_second: 100 });
    await call("PATCH", `${ORGS}102`, { max_devices_per_second: 20 });
    try {
      const dry = { ...referenceBody([101, 102]), device_filters: { types: ["router"] }, dry_run: true };
      // 6,000 devices at 20/s: 5 minutes; the operation's own option overrides the default.
      expect((await call("POST", OPS, dry)).json().estimated_duration_minutes).toBe(5);
      const own = { ...dry, options: { max_devices_per_second: 50 } };
      expect((await call("POST", OPS, own)).json().estimated_duration_minutes).toBe(2);
    } finally {
      await call("PATCH", `${ORGS}101`, { max_devices_per_second: null });
      await call("PATCH", `${ORGS}102`, { max_devices_per_second: null });
    }
  });

  it("refuses operators and viewers (403) and changes nothing", async () => {
    for (const who of [operator, viewer]) {
      const res = await call("PATCH", `${ORGS}101`, { max_devices_per_second: 5 }, who);
      expect(res.statusCode).toBe(403);
    }
    expect((await call("GET", `${ORGS}101`, undefined)).json().max_devices_per_second).toBeNull();
  });

  it("answers 404 for an organization the token does not hold, or that does not exist", async () => {
    for (const url of [`${ORGS}103`, `${ORGS}999`, `${ORGS}abc`, `${ORGS}0`]) {
      expect((await call("PATCH", url, { max_devices_per_second: 5 })).statusCode, url).toBe(404);
      expect((await call("GET", url, undefined)).statusCode, url).toBe(404);
    }
    expect((await call("GET", `${ORGS}101`, undefined, otherAdmin)).statusCode).toBe(404);
  });

  it("answers 422 naming the field for a bad value or an unknown key, 400 for broken JSON", async () => {
    for (const body of [
      { max_devices_per_second: 0 },
      { max_devices_per_second: "fast" },
      { max_devices_per_second: 1.5 },
    ]) {
      const res = await call("PATCH", `${ORGS}101`, body);
      expect(res.statusCode).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain("max_devices_per_second");
    }
    const unknown = await call("PATCH", `${ORGS}101`, { name: "renamed" });
    expect(unknown.statusCode).toBe(422);
    expect((await call("PATCH", `${ORGS}101`, '{"max_devices_per_second": ')).statusCode).toBe(400);
  });
});

describe("npm run admin -- org set", () => {
  const admin = (args: string[]) =>
    runScript({ script: "services/api/dist/admin.js", args: ["org", "set", ...args], env: h.ctx.env });
  const stored = async () =>
    (await h.db.pool.query("SELECT max_devices_per_second AS r FROM organizations WHERE id = 103")).rows[0].r;

  it("sets and removes an organization's default, and refuses a bad value or an unknown organization", async () => {
    const set = await admin(["--id", "103", "--max-devices-per-second", "750"]);
    expect(set.code, set.stderr).toBe(0);
    expect(set.stdout).toContain("max_devices_per_second 750");
    expect(await stored()).toBe(750);
    const none = await admin(["--id", "103", "--max-devices-per-second", "none"]);
    expect(none.code, none.stderr).toBe(0);
    expect(await stored()).toBeNull();
    for (const bad of [
      ["--id", "103", "--max-devices-per-second", "0"],
      ["--id", "103", "--max-devices-per-second", "fast"],
      ["--id", "103"],
      ["--id", "999", "--max-devices-per-second", "5"],
    ]) {
      const res = await admin(bad);
      expect(res.code, bad.join(" ")).toBe(2);
    }
    expect(await stored()).toBeNull();
  });
});
