import type { ScheduleView } from "@headless-ops/contracts";
import { waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "./support/api-client.js";
import { seedDevices, seedOrganizations } from "./support/fleet.js";
import { type Stack, startStack } from "./support/stack.js";

/*
 * An every-minute schedule run by the real processes with two schedulers racing for every firing:
 * two firings (about two minutes), each one operation, each completed.
 */

const FIRINGS = 2;

describe.sequential("an every-minute schedule with two schedulers", () => {
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startStack({ schedulers: 2, probers: 1, env: { SCHEDULER_SWEEP_MS: "1000" } });
    await seedOrganizations(stack.db.pool, [301]);
    await seedDevices(stack.db.pool, { organization: 301, label: "cron", count: 20, sim: { latency_ms: 5 } });
    api = await stack.client([301]);
  }, 120_000);

  afterAll(async () => {
    await stack?.stop();
  });

  it("creates exactly one operation per minute, and each completes", async () => {
    const created = await api.call<ScheduleView>("POST", "/api/v1/schedules/", {
      operation_type: "status_refresh",
      target_organizations: [301],
      cron: "* * * * *",
      timezone: "Europe/Zurich",
    });
    expect(created.status).toBe(201);
    const schedule = created.body;
    expect(schedule.cron_description).toBe("Every minute (Europe/Zurich)");
    const expected = schedule.next_runs.slice(0, FIRINGS);

    const runs = await waitFor(
      async () => {
        const got = await api.call<ScheduleView>("GET", `/api/v1/schedules/${schedule.id}`);
        const done = got.body.last_runs.filter((r) => r.status === "completed");
        return done.length >= FIRINGS ? got.body.last_runs : undefined;
      },
      { what: `${FIRINGS} completed firings`, timeoutMs: (FIRINGS + 1) * 60_000 + 30_000, intervalMs: 1_000 },
    );
    await api.call("PATCH", `/api/v1/schedules/${schedule.id}`, { enabled: false });

    const rows = await stack.db.pool.query<{ fire_at: Date; n: number }>(
      `SELECT schedule_fire_at AS fire_at, count(*)::int AS n FROM operations WHERE schedule_id = $1
        GROUP BY 1 ORDER BY 1`,
      [schedule.id],
    );
    // One operation per fire time, on consecutive minutes, starting at the first announced run.
    expect(rows.rows.slice(0, FIRINGS).map((r) => r.fire_at.toISOString().replace(".000", ""))).toEqual(
      expected,
    );
    expect(rows.rows.every((r) => r.n === 1)).toBe(true);
    expect(runs.map((r) => r.fire_at).sort()).toEqual(
      rows.rows.map((r) => r.fire_at.toISOString().replace(".000", "")),
    );
    const list = await api.call<{ count: number; results: { schedule_id: string; total_devices: number }[] }>(
      "GET",
      `/api/v1/inventory_device_serial_headless_operation/?schedule_id=${schedule.id}`,
    );
    expect(list.body.count).toBe(rows.rows.length);
    expect(list.body.results.every((o) => o.schedule_id === schedule.id && o.total_devices === 20)).toBe(
      true,
    );
  }, 240_000);
});
