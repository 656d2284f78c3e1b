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
    // 20 takes of 25 tokens from 8 connections at once: 500 tokens, one second of budget. Measured on
    // the database's clock (the bucket's own): answers' latency on a loaded machine would blur the gaps.
    const t0 = await db.pool.query<{ at: Date }>("SELECT clock_timestamp() AS at");
    const grants = await Promise.all(Array.from({ length: 20 }, () => takeRateTokens(db.pool, id, 500, 25)));
    expect(grants.every((g) => g.intervalMs === 2)).toBe(true);
    const bucket = await db.pool.query<{ span_ms: number }>(
      `SELECT (extract(epoch FROM next_at - $2::timestamptz) * 1000)::float8 AS span_ms
         FROM operation_rate_buckets WHERE operation_id = $1`,
      [id, t0.rows[0]?.at],
    );
    // The timeline moved on by exactly 20 × 25 / 500 s from the first take: no batch got a slot of its
    // own outside it (overlap would make it shorter). Longer only by the time until the first take began.
    const span = bucket.rows[0]?.span_ms as number;
    expect(span).toBeGreaterThanOrEqual(1_000);
    expect(span).toBeLessThan(1_000 + 500);
    // Each take waited for the ones before it: the waits are distinct, one ahead of the other.
    const waits = grants.map((g) => g.waitMs).sort((a, b) => a - b);
    expect(new Set(waits.map((w) => Math.round(w))).size).toBe(20);
    expect(waits.at(-1)).toBeGreaterThan(500);
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
