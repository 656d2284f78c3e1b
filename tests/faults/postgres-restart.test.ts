import { TestPostgresCluster, waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario, sleep } from "./support/scenario.js";
import { type FaultStack, faultEnv, startFaultStack, waitForProgress } from "./support/stack.js";

/*
 * Scenario 5: Postgres restarts while an operation runs (a test-owned cluster made with initdb on
 * its own port, migrated with runMigrations; never the shared server). The first restart is a
 * clean one (fast shutdown), the second a crash (immediate: recovery from WAL). Pools reconnect,
 * folds that did not commit are handed back and folded again, nothing crashes.
 */
const profile = faultProfile();
const PROBERS = 2;

describe("faults: restart Postgres mid-operation", () => {
  let pg: TestPostgresCluster;
  let stack: FaultStack;

  beforeAll(async () => {
    pg = await TestPostgresCluster.start();
    stack = await startFaultStack({
      databaseUrl: pg.url(),
      // Small pages: the fan-out lasts long enough for the first restart to land in it.
      env: {
        ...faultEnv(profile, proberConcurrency(profile, PROBERS)),
        FANOUT_PAGE_SIZE: "100",
        FANOUT_BATCH_SIZE: "50",
      },
    });
    await stack.startPipeline(PROBERS);
  });

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      await pg?.stop();
    }
  });

  it(
    "loses and double-counts no device",
    async () => {
      await runOperationScenario({
        id: "5-postgres-restart",
        title: "restart Postgres mid-operation (test-owned cluster; fast, then immediate)",
        profile,
        stack,
        inject: async (operationId, fleet) => {
          // First a crash (immediate stop) while the scheduler fans out: its session holds the fan-out
          // lock and sits between queries while publishes are acked.
          await waitFor(
            async () => {
              const res = await stack.db.pool.query(
                "SELECT 1 FROM operations WHERE id = $1 AND fanout_cursor IS NOT NULL AND NOT fanout_done",
                [operationId],
              );
              return res.rowCount ? true : undefined;
            },
            { timeoutMs: 30_000, intervalMs: 5, what: "a fan-out in progress" },
          );
          await pg.restart({ downMs: 2_000, mode: "immediate" });
          const restarts = profile.repeats;
          for (let i = 0; i < restarts; i++) {
            await waitForProgress(stack.db.pool, operationId, fleet.devices, (i + 1) / (restarts + 2));
            await pg.restart({ downMs: 2_000, mode: i % 2 === 0 ? "fast" : "immediate" });
            await sleep(1_000);
          }
          return {
            faults: `${restarts + 1} × Postgres restart (2 s down; one mid-fan-out; fast and immediate)`,
            count: restarts + 1,
          };
        },
      });
      const crashed = stack.group.processes.filter((p) => !p.running);
      expect(crashed.map((p) => `${p.name}:\n${p.tail()}`)).toEqual([]);
    },
    scenarioTimeoutMs(profile),
  );
});
