import { fireDueSchedules, nextFireAfter } from "@headless-ops/db";
import { waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Env, newScheduler, seedDevices, startEnv } from "./fixtures.js";

let env: Env;

beforeAll(async () => {
  env = await startEnv();
  await seedDevices(env.db, 101, 5, "router");
});
afterAll(() => env.close());

type Fields = {
  cron: string;
  timezone: string;
  missed_runs?: "skip" | "run_once";
  overlap?: "skip" | "allow";
  from: Date;
};

/** A schedule as the API stores one, its first fire time computed from `from` (the test clock). */
async function schedule(f: Fields): Promise<string> {
  const request = {
    operation_type: "bulk_serial_sync",
    target_organizations: [101],
    device_filters: {},
    schedule: { execute_at: new Date(0).toISOString(), priority: "normal" },
    options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 60 },
  };
  const next = nextFireAfter({ cron: f.cron, timezone: f.timezone }, f.from);
  const res = await env.db.pool.query<{ id: string }>(
    `INSERT INTO schedules (organization_ids, request, cron, timezone, missed_runs, overlap, next_fire_at)
     VALUES ('{101}', $1::jsonb, $2, $3, $4, $5, $6) RETURNING id`,
    [JSON.stringify(request), f.cron, f.timezone, f.missed_runs ?? "skip", f.overlap ?? "skip", next],
  );
  return res.rows[0]?.id as string;
}

async function firings(scheduleId: string): Promise<string[]> {
  const res = await env.db.pool.query<{ at: Date }>(
    "SELECT schedule_fire_at AS at FROM operations WHERE schedule_id = $1 ORDER BY 1",
    [scheduleId],
  );
  return res.rows.map((r) => r.at.toISOString());
}

/** Advances a test clock minute by minute, firing at each tick as a scheduler pass would. */
async function tick(from: Date, until: Date, stepMs = 60_000): Promise<void> {
  for (let t = from.getTime(); t <= until.getTime(); t += stepMs) {
    await fireDueSchedules(env.db.pool, env.config.NATS_PREFIX, new Date(t));
  }
}

/** Ends the schedule's unfinished operations, as the aggregator would, so overlap does not hold firings back. */
const finishAll = (id: string) =>
  env.db.pool.query(
    "UPDATE operations SET status = 'completed', finished_at = now() WHERE schedule_id = $1 AND status = 'scheduled'",
    [id],
  );

describe("schedule firings (fixed clock)", () => {
  it("a 02:30 New York job runs once on the spring-forward day and once on the fall-back day", async () => {
    const spring = await schedule({
      cron: "30 2 * * *",
      timezone: "America/New_York",
      overlap: "allow",
      from: new Date("2026-03-07T12:00:00Z"),
    });
    await tick(new Date("2026-03-08T05:00:00Z"), new Date("2026-03-08T09:00:00Z"));
    expect(await firings(spring)).toEqual(["2026-03-08T07:00:00.000Z"]);

    const fall = await schedule({
      cron: "30 2 * * *",
      timezone: "America/New_York",
      overlap: "allow",
      from: new Date("2026-10-31T12:00:00Z"),
    });
    await tick(new Date("2026-11-01T05:00:00Z"), new Date("2026-11-01T09:00:00Z"));
    expect(await firings(fall)).toEqual(["2026-11-01T07:30:00.000Z"]);
  });

  it("after downtime, `skip` drops the missed firings and `run_once` runs the latest once", async () => {
    const from = new Date("2026-05-01T00:00:00Z");
    const skip = await schedule({ cron: "0 * * * *", timezone: "UTC", missed_runs: "skip", from });
    const once = await schedule({ cron: "0 * * * *", timezone: "UTC", missed_runs: "run_once", from });
    // Down from 00:00 to 05:20: five hourly firings missed.
    await tick(new Date("2026-05-01T05:20:00Z"), new Date("2026-05-01T05:20:00Z"));
    expect(await firings(skip)).toEqual([]);
    expect(await firings(once)).toEqual(["2026-05-01T05:00:00.000Z"]);
    // Back to normal: both fire at 06:00.
    await finishAll(once);
    await tick(new Date("2026-05-01T05:21:00Z"), new Date("2026-05-01T06:01:00Z"));
    expect(await firings(skip)).toEqual(["2026-05-01T06:00:00.000Z"]);
    expect(await firings(once)).toEqual(["2026-05-01T05:00:00.000Z", "2026-05-01T06:00:00.000Z"]);
  });

  it("`overlap: skip` skips a firing while the previous one still runs; `allow` does not", async () => {
    const from = new Date("2026-06-01T00:00:00Z");
    const skip = await schedule({ cron: "*/10 * * * *", timezone: "UTC", overlap: "skip", from });
    const allow = await schedule({ cron: "*/10 * * * *", timezone: "UTC", overlap: "allow", from });
    await tick(new Date("2026-06-01T00:10:00Z"), new Date("2026-06-01T00:30:00Z"));
    expect(await firings(skip)).toEqual(["2026-06-01T00:10:00.000Z"]);
    expect(await firings(allow)).toHaveLength(3);
    await finishAll(skip);
    await tick(new Date("2026-06-01T00:40:00Z"), new Date("2026-06-01T00:40:00Z"));
    expect(await firings(skip)).toEqual(["2026-06-01T00:10:00.000Z", "2026-06-01T00:40:00.000Z"]);
  });

  it("two replicas racing at every tick create each firing exactly once", async () => {
    const from = new Date("2026-07-01T00:00:00Z");
    const ids = await Promise.all(
      Array.from({ length: 5 }, () =>
        schedule({ cron: "* * * * *", timezone: "UTC", overlap: "allow", from }),
      ),
    );
    for (let m = 1; m <= 10; m += 1) {
      const now = new Date(from.getTime() + m * 60_000);
      await Promise.all([
        fireDueSchedules(env.db.pool, env.config.NATS_PREFIX, now),
        fireDueSchedules(env.db.pool, env.config.NATS_PREFIX, now),
      ]);
    }
    for (const id of ids) expect(await firings(id)).toHaveLength(10);
    // A restarted replica looking at a fire time again (next_fire_at rolled back) creates nothing new.
    await env.db.pool.query("UPDATE schedules SET next_fire_at = $1 WHERE id = ANY($2::bigint[])", [
      new Date(from.getTime() + 10 * 60_000),
      ids,
    ]);
    const again = await fireDueSchedules(
      env.db.pool,
      env.config.NATS_PREFIX,
      new Date(from.getTime() + 10 * 60_000),
    );
    expect(again.filter((f) => ids.includes(f.scheduleId)).map((f) => f.result)).toEqual(
      ids.map(() => "duplicate"),
    );
    for (const id of ids) expect(await firings(id)).toHaveLength(10);
  });

  it("pauses a schedule whose stored template no longer reads, and still fires the others", async () => {
    const from = new Date("2026-08-01T00:00:00Z");
    const good = await schedule({ cron: "* * * * *", timezone: "UTC", overlap: "allow", from });
    const bad = await schedule({ cron: "* * * * *", timezone: "UTC", overlap: "allow", from });
    await env.db.pool.query(`UPDATE schedules SET request = '{"operation_type":"nope"}' WHERE id = $1`, [
      bad,
    ]);
    const out = await fireDueSchedules(env.db.pool, env.config.NATS_PREFIX, new Date("2026-08-01T00:01:00Z"));
    expect(out.find((f) => f.scheduleId === bad)?.result).toBe("invalid");
    expect(out.find((f) => f.scheduleId === good)?.result).toBe("fired");
    const row = await env.db.pool.query("SELECT next_fire_at FROM schedules WHERE id = $1", [bad]);
    expect(row.rows[0].next_fire_at).toBeNull();
  });

  it("the scheduler fires by its injected clock and claims the firing's operation", async () => {
    const now = new Date(Date.now() - 30_000);
    const id = await schedule({
      cron: "* * * * *",
      timezone: "UTC",
      from: new Date(now.getTime() - 120_000),
    });
    const replica = newScheduler(env, { now: () => now });
    await replica.start();
    try {
      const op = await waitFor(
        async () => {
          const res = await env.db.pool.query<{ status: string; total_devices: number }>(
            "SELECT status, total_devices FROM operations WHERE schedule_id = $1",
            [id],
          );
          return res.rows[0]?.status === "in_progress" ? res.rows[0] : undefined;
        },
        { what: "firing claimed" },
      );
      expect(op.total_devices).toBe(5);
    } finally {
      await replica.stop();
    }
  });
});
