import { DryRunView, ScheduleView } from "@headless-ops/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";

const SCHEDULES = "/api/v1/schedules/";
let h: Harness;
let auth: string;
let viewer: string;
let other: string;

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102, 103])).auth;
  viewer = (await h.token([101, 102, 103], "viewer")).auth;
  other = (await h.token([103])).auth;
  const res = await h.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: auth },
    payload: [
      device(101, { device_type: "router" }),
      device(101, { device_type: "switch", status: "pending" }),
      device(102, { device_type: "router", status: "offline" }),
    ],
  });
  expect(res.statusCode).toBe(201);
  // Devices the dry run must flag: stored directly, as an import before the guard existed would have.
  await h.db.pool.query(
    `INSERT INTO devices (organization_id, hostname, device_type, driver, mgmt_address) VALUES
       (101, 'snmp-noaddr', 'router', 'snmp', NULL),
       (101, 'snmp-nocreds', 'router', 'snmp', '10.0.0.9'),
       (102, 'snmp-metadata', 'router', 'snmp', '169.254.169.254')`,
  );
});
afterAll(() => h?.close());

const call = (method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown, who = auth) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: who },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const nightly = (fields: Record<string, unknown> = {}) => ({
  operation_type: "bulk_serial_sync",
  target_organizations: [101, 102],
  device_filters: { types: ["router", "switch"] },
  options: { update_firmware_info: true },
  priority: "low",
  cron: "30 2 * * *",
  timezone: "Europe/Zurich",
  ...fields,
});

const rowCounts = async () => {
  const res = await h.db.pool.query<{ ops: number; outbox: number }>(
    "SELECT (SELECT count(*)::int FROM operations) AS ops, (SELECT count(*)::int FROM outbox) AS outbox",
  );
  return res.rows[0];
};

describe("schedules API", () => {
  it("creates a schedule with a description and its next 5 fire times in its timezone", async () => {
    const res = await call("POST", SCHEDULES, nightly());
    expect(res.statusCode).toBe(201);
    const body = ScheduleView.parse(res.json());
    expect(body).toMatchObject({
      operation_type: "bulk_serial_sync",
      target_organizations: [101, 102],
      priority: "low",
      cron: "30 2 * * *",
      cron_description: "At 02:30 (Europe/Zurich)",
      enabled: true,
      missed_runs: "skip",
      overlap: "skip",
      options: { update_firmware_info: true, validate_connectivity: false, timeout_minutes: 60 },
      last_runs: [],
    });
    expect(body.next_runs).toHaveLength(5);
    for (const run of body.next_runs) {
      const local = new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Zurich",
        hour: "2-digit",
        minute: "2-digit",
      }).format(new Date(run));
      expect(local).toBe("02:30");
    }
    const got = await call("GET", `${SCHEDULES}${body.id}`, undefined, viewer);
    expect(got.statusCode).toBe(200);
    expect(got.json().id).toBe(body.id);
  });

  it("refuses a malformed cron, a 6-field cron, an unknown timezone and an empty window with 422", async () => {
    for (const [fields, path] of [
      [{ cron: "61 2 * * *" }, "cron"],
      [{ cron: "0 0 2 * * *" }, "cron"],
      [{ timezone: "Mars/Olympus" }, "timezone"],
      [{ starts_at: "2030-01-02T00:00:00Z", ends_at: "2030-01-01T00:00:00Z" }, "ends_at"],
      [{ missed_runs: "backfill" }, "missed_runs"],
      [{ starts_at: "0000-01-01T00:00:00Z" }, "starts_at"],
      [{ cron: "0 2 * * *", nope: 1 }, "nope"],
    ] as const) {
      const res = await call("POST", SCHEDULES, nightly(fields));
      expect(res.statusCode, JSON.stringify(fields)).toBe(422);
      expect(res.json().errors.map((e: { path: string }) => e.path)).toContain(path);
    }
  });

  it("lets viewers read but not write, and hides other tenants' schedules", async () => {
    const id = (await call("POST", SCHEDULES, nightly())).json().id;
    expect((await call("POST", SCHEDULES, nightly(), viewer)).statusCode).toBe(403);
    expect((await call("PATCH", `${SCHEDULES}${id}`, { enabled: false }, viewer)).statusCode).toBe(403);
    expect((await call("DELETE", `${SCHEDULES}${id}`, undefined, viewer)).statusCode).toBe(403);
    expect((await call("GET", `${SCHEDULES}${id}`, undefined, other)).statusCode).toBe(404);
    expect((await call("POST", SCHEDULES, nightly(), other)).statusCode).toBe(403);
    const list = await call("GET", SCHEDULES, undefined, other);
    expect(list.json().count).toBe(0);
  });

  it("PATCH disables (no next runs) and changes the cron; DELETE removes", async () => {
    const id = (await call("POST", SCHEDULES, nightly())).json().id;
    const off = await call("PATCH", `${SCHEDULES}${id}`, { enabled: false });
    expect(off.statusCode).toBe(200);
    expect(off.json()).toMatchObject({ enabled: false, next_runs: [] });
    const on = await call("PATCH", `${SCHEDULES}${id}`, {
      enabled: true,
      cron: "0 4 * * 1",
      timezone: "UTC",
    });
    expect(on.json().cron_description).toBe("At 04:00, only on Monday (UTC)");
    expect(new Date(on.json().next_runs[0]).getUTCDay()).toBe(1);
    expect((await call("PATCH", `${SCHEDULES}${id}`, { cron: "nope" })).statusCode).toBe(422);
    expect((await call("DELETE", `${SCHEDULES}${id}`)).statusCode).toBe(204);
    expect((await call("GET", `${SCHEDULES}${id}`)).statusCode).toBe(404);
  });

  it("previews the next firing without creating anything", async () => {
    const id = (await call("POST", SCHEDULES, nightly())).json().id;
    const before = await rowCounts();
    const res = await call("GET", `${SCHEDULES}${id}/preview`, undefined, viewer);
    expect(res.statusCode).toBe(200);
    const body = DryRunView.parse(res.json());
    // routers and switches in 101–102: the three created over the API plus the three SNMP ones
    expect(body.target_device_count).toBe(6);
    expect(body.scheduled_for).toBe(
      ScheduleView.parse((await call("GET", `${SCHEDULES}${id}`)).json()).next_runs[0],
    );
    expect(await rowCounts()).toEqual(before);
  });
});

describe("dry_run on the operation POST", () => {
  const dry = {
    ...referenceBody([101, 102]),
    device_filters: { types: ["router", "switch"] },
    dry_run: true,
  };

  it("answers 200 with counts, unprobeable devices and a sample, and creates no operation or outbox row", async () => {
    const before = await rowCounts();
    const forms = [
      { payload: dry, headers: {} },
      { payload: { data: JSON.stringify(dry) }, headers: {} },
      {
        payload: `data=${encodeURIComponent(JSON.stringify(dry))}`,
        headers: { "content-type": "application/x-www-form-urlencoded" },
      },
    ];
    for (const form of forms) {
      const res = await h.app.inject({
        method: "POST",
        url: OPS,
        headers: { authorization: auth, ...form.headers },
        payload: form.payload as string,
      });
      expect(res.statusCode).toBe(200);
      const body = DryRunView.parse(res.json());
      expect(body).toMatchObject({
        dry_run: true,
        operation_type: "bulk_serial_sync",
        scheduled_for: "2024-01-16T02:00:00Z",
        target_device_count: 6,
        estimated_duration_minutes: 1,
        counts: {
          by_organization: { "101": 4, "102": 2 },
          by_type: { router: 5, switch: 1 },
          by_status: { active: 4, pending: 1, offline: 1 },
          by_driver: { simulated: 3, snmp: 3 },
        },
        unprobeable: {
          count: 3,
          by_reason: { no_address: 1, no_credentials: 1, address_refused: 1 },
        },
      });
      const reasons = Object.fromEntries(body.unprobeable.sample.map((d) => [d.hostname, d.reason]));
      expect(reasons).toEqual({
        "snmp-noaddr": "no_address",
        "snmp-nocreds": "no_credentials",
        "snmp-metadata": "address_refused",
      });
      expect(body.sample).toHaveLength(6);
    }
    expect(await rowCounts()).toEqual(before);
  });

  it("checks tenancy and roles as a real POST does", async () => {
    expect((await call("POST", OPS, dry, viewer)).statusCode).toBe(403);
    expect((await call("POST", OPS, dry, other)).statusCode).toBe(403);
    expect((await call("POST", OPS, { ...dry, dry_run: "yes" })).statusCode).toBe(422);
  });
});

describe("operations of a schedule", () => {
  it("shows schedule_id in the GET and filters by it", async () => {
    const id = (await call("POST", SCHEDULES, nightly())).json().id;
    // A firing as the scheduler writes it (the scheduler's own tests cover when it fires).
    const { fireDueSchedules } = await import("@headless-ops/db");
    const next = new Date((await call("GET", `${SCHEDULES}${id}`)).json().next_runs[0]);
    const fired = await fireDueSchedules(h.db.pool, h.config.NATS_PREFIX, new Date(next.getTime() + 60_000));
    const mine = fired.filter((f) => f.scheduleId === id);
    expect(mine).toHaveLength(1);
    const list = await call("GET", `${OPS}?schedule_id=${id}`);
    expect(list.json().count).toBe(1);
    expect(list.json().results[0]).toMatchObject({
      id: mine[0]?.operationId,
      schedule_id: id,
      priority: "low",
    });
    const schedule = (await call("GET", `${SCHEDULES}${id}`)).json();
    expect(schedule.last_runs).toEqual([
      expect.objectContaining({ operation_id: mine[0]?.operationId, status: "scheduled" }),
    ]);
  });
});
