import { execFileSync } from "node:child_process";
import { waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario } from "./support/scenario.js";
import { type FaultStack, faultEnv, startFaultStack } from "./support/stack.js";

/*
 * Scenario 3: two schedulers run all along; the one fanning the operation out is killed with
 * SIGKILL in the middle of the fan-out (found by the advisory lock its database session holds).
 * The other resumes from the cursor; pages republished under the same message ids are dropped by
 * JetStream's duplicate window. Small pages make the fan-out long enough to be hit mid-way.
 */
const profile = faultProfile();
const PROBERS = 2;

/** The pid of the local process owning the TCP connection whose client port is `port`. */
function pidOwningPort(port: number): number | undefined {
  const out = execFileSync("ss", ["-Htnp", `sport = :${port}`], { encoding: "utf8" });
  const m = /pid=(\d+)/.exec(out);
  return m ? Number(m[1]) : undefined;
}

describe("faults: kill -9 the scheduler mid-fan-out, two schedulers running", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({
      env: {
        ...faultEnv(profile, proberConcurrency(profile, PROBERS)),
        FANOUT_PAGE_SIZE: "100",
        FANOUT_BATCH_SIZE: "50",
      },
    });
    await Promise.all([
      stack.start("scheduler", "scheduler-a"),
      stack.start("scheduler", "scheduler-b"),
      stack.start("aggregator", "aggregator"),
      ...Array.from({ length: PROBERS }, (_, i) => stack.start("prober", `prober-${i}`)),
    ]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "loses and double-counts no device",
    async () => {
      let killedAt = "";
      await runOperationScenario({
        id: "3-scheduler-kill",
        title: "kill -9 the scheduler mid-fan-out; two schedulers running all along",
        profile,
        stack,
        inject: async (operationId) => {
          // The fan-out holder: the session with the operation's advisory lock, and the process owning it.
          const holder = await waitFor(
            async () => {
              const res = await stack.db.pool.query<{ port: number; cursor: string | null }>(
                `SELECT a.client_port AS port, o.fanout_cursor AS cursor
                 FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
                 JOIN operations o ON o.id = $1
                WHERE l.locktype = 'advisory' AND l.classid = 48151 AND l.objid = ($1::bigint % 2147483647)
                  AND l.granted AND o.fanout_cursor IS NOT NULL AND NOT o.fanout_done`,
                [operationId],
              );
              return res.rows[0];
            },
            { timeoutMs: 30_000, intervalMs: 5, what: "a fan-out in progress" },
          );
          const pid = pidOwningPort(holder.port);
          const victim = stack.group.processes.find((p) => p.running && p.pid === pid);
          if (!victim) throw new Error(`no scheduler owns client port ${holder.port} (pid ${pid})`);
          await victim.kill();
          killedAt = `${victim.name} at cursor ${holder.cursor}`;
          await stack.start("scheduler", `${victim.name}-restarted`);
          return {
            faults: `1 × kill -9 scheduler mid-fan-out (cursor ${holder.cursor}), 2 replicas`,
            count: 1,
          };
        },
      });
      expect(killedAt).not.toBe("");
      // The fan-out was resumed, not restarted: each device went out in round 1 only.
      const rounds = await stack.db.pool.query<{ dispatch_round: number }>(
        "SELECT dispatch_round FROM operations",
      );
      expect(rounds.rows).toEqual([{ dispatch_round: 1 }]);
    },
    scenarioTimeoutMs(profile),
  );
});
