import { openSse, type SseEvent } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, OPERATIONS } from "./support/api-client.js";
import { seedDevices, seedOrganizations } from "./support/fleet.js";
import { type Stack, startStack } from "./support/stack.js";

/*
 * Live progress as a user sees it, through real processes (API, scheduler, aggregator, prober):
 * an SSE client on one operation sees the snapshot, progress rising to 100 and the finished event,
 * then the stream ends.
 */

describe("live progress end to end", () => {
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    stack = await startStack({
      env: {
        AGGREGATOR_BATCH_MS: "20",
        FANOUT_BATCH_SIZE: "20",
        PROBER_RESULT_FLUSH_MS: "50",
        // About 3 s of work: long enough for the aggregator to measure a rate (it needs 1 s of folds).
        PROBER_CONCURRENCY: "16",
      },
    });
    await seedOrganizations(stack.db.pool, [101]);
    await seedDevices(stack.db.pool, {
      organization: 101,
      label: "live",
      count: 400,
      sim: { latency_ms: 100 },
    });
    api = await stack.client([101]);
  }, 120_000);
  afterAll(async () => {
    await stack?.stop();
  });

  it("an SSE client sees progress rise to 100 and the finished event", async () => {
    const created = await api.createOperation({
      operation_type: "status_refresh",
      target_organizations: [101],
      schedule: { execute_at: "2099-01-01T00:00:00Z" },
    });
    const sse = await openSse(`${api.baseUrl}${OPERATIONS}${created.id}/events`, {
      authorization: `Bearer ${api.token}`,
    });
    try {
      const snapshot = await sse.next();
      expect(snapshot).toMatchObject({ event: "snapshot", data: { id: created.id, status: "scheduled" } });
      // Due now: the scheduler claims it (the poll shows in_progress), probers and aggregator run it.
      await stack.db.pool.query(
        "UPDATE operations SET scheduled_for = now(), updated_at = now() WHERE id = $1",
        [created.id],
      );
      await api.call("GET", `${OPERATIONS}?id=${created.id}`);
      const events: SseEvent[] = [];
      for (let e = await sse.next(60_000); e; e = await sse.next(60_000)) events.push(e);
      const names = events.map((e) => e.event);
      expect(names.at(-1)).toBe("finished");
      expect(names.filter((n) => n === "finished")).toHaveLength(1);
      const progress = events
        .filter((e) => e.event === "progress")
        .map((e) => (e.data as { progress: number }).progress);
      expect(progress.length).toBeGreaterThan(1);
      expect(progress).toEqual([...progress].sort((a, b) => a - b));
      expect(progress.some((p) => p > 0 && p < 100)).toBe(true);
      expect(events.at(-1)?.data).toMatchObject({
        status: "completed",
        progress: 100,
        processed_devices: 400,
      });
      expect(
        events.some((e) => ((e.data as { devices_per_second: number | null }).devices_per_second ?? 0) > 0),
      ).toBe(true);
    } finally {
      sse.close();
    }
  }, 120_000);
});
