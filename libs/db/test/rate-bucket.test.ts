import { createTestContext, type TestContext } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, type DbHandle, readOperationRunStates, takeRateTokens } from "../src/index.js";

/*
 * The shared probe rate limit in Postgres: concurrent takes from many connections line up on one
 * timeline at the rate, and the effective limit is the operation's option, else its organizations'
 * smallest default, else none.
 */

let ctx: TestContext;
let db: DbHandle;

const insertOperation = async (orgs: number[], options: Record<string, unknown>) => {
  const request = {
    operation_type: "bulk_serial_sync",
    target_organizations: orgs,
    device_filters: {},
    schedule: { execute_at: new Date().toISOString(), priority: "normal" },
    options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 60, ...options },
  };
  const res = await db.pool.query<{ id: string }>(
    `INSERT INTO operations (operation_type, organization_ids, request, scheduled_for)
     VALUES ('bulk_serial_sync', $1::bigint[], $2::jsonb, now()) RETURNING id`,
    [orgs, JSON.stringify(request)],
  );
  return res.rows[0]?.id as string;
};

beforeAll(async () => {
  ctx = await createTestContext();
  db = createDb({ url: ctx.databaseUrl, max: 8 });
  await db.pool.query(
    `INSERT INTO organizations (id, name, max_devices_per_second)
     VALUES (1, 'fast', 400), (2, 'slow', 50), (3, 'none', NULL)`,
  );
});
afterAll(async () => {
  await db?.close();
  await ctx?.cleanup();
});

describe("takeRateTokens", () => {
  it("grants concurrent batches consecutive slots at the rate, whoever asks", async () => {
    const id = await insertOperation([3], { max_devices_per_second: 500 });
    // 20 takes of 25 tokens from 8 connections at once: 500 tokens, one second of budget.
    // Each grant as an absolute start time: when its answer arrived plus the wait it was given.
    const grants = await Promise.all(
      Array.from({ length: 20 }, () =>
        takeRateTokens(db.pool, id, 500, 25).then((g) => ({ ...g, startMs: Date.now() + g.waitMs })),
      ),
    );
    expect(grants.every((g) => g.intervalMs === 2)).toBe(true);
    const starts = grants.map((g) => g.startMs).sort((a, b) => a - b);
    // One batch every 25 / 500 s = 50 ms: no overlap, no gap (the answers' latency, ms under load, either way).
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    for (const gap of gaps) {
      expect(gap).toBeGreaterThan(20);
      expect(gap).toBeLessThan(80);
    }
    const span = (starts.at(-1) as number) - (starts[0] as number);
    expect(Math.abs(span - 950)).toBeLessThan(100);
  });

  it("grants no burst after idle time: a fresh take starts now, the next one after it", async () => {
    const id = await insertOperation([3], {});
    const first = await takeRateTokens(db.pool, id, 10, 5);
    const second = await takeRateTokens(db.pool, id, 10, 5);
    expect(first.waitMs).toBe(0);
    expect(second.waitMs).toBeGreaterThan(400);
    expect(second.waitMs).toBeLessThanOrEqual(500);
  });
});

describe("readOperationRunStates: effective rate limit", () => {
  it("takes the option, else the smallest organization default, else none", async () => {
    const own = await insertOperation([1, 2], { max_devices_per_second: 1000 });
    const both = await insertOperation([1, 2, 3], {});
    const fast = await insertOperation([1], {});
    const unlimited = await insertOperation([3], {});
    const states = await readOperationRunStates(db.pool, [own, both, fast, unlimited]);
    expect(states.get(own)?.maxDevicesPerSecond).toBe(1000);
    expect(states.get(both)?.maxDevicesPerSecond).toBe(50);
    expect(states.get(fast)?.maxDevicesPerSecond).toBe(400);
    expect(states.get(unlimited)?.maxDevicesPerSecond).toBeNull();
    expect(states.get(unlimited)).toMatchObject({ status: "scheduled", cancelRequested: false });
  });
});
