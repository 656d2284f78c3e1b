import { afterAll, beforeAll, describe, it } from "vitest";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario, sleep } from "./support/scenario.js";
import { type FaultStack, faultEnv, startFaultStack, terminalRows } from "./support/stack.js";

/*
 * Scenario 1: a prober is killed with SIGKILL every few seconds while an operation runs, and a new
 * one started in its place. Jobs the dead prober held come back after their ack wait and are
 * probed again; results it had already published are folded once.
 */
const profile = faultProfile();
const PROBERS = 2;

describe("faults: kill -9 a prober every few seconds", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({ env: faultEnv(profile, proberConcurrency(profile, PROBERS)) });
    await stack.startPipeline(PROBERS);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "loses and double-counts no device",
    async () => {
      let started = PROBERS;
      await runOperationScenario({
        id: "1-prober-kill",
        title: "kill -9 a prober every few seconds, start a new one",
        profile,
        stack,
        inject: async (operationId, fleet) => {
          const kills = profile.repeats * 2;
          let done = 0;
          while (done < kills && (await terminalRows(stack.db.pool, operationId)) < fleet.devices * 0.9) {
            await sleep(2_500);
            const victims = stack.running("prober-");
            const victim = victims[done % victims.length];
            if (!victim) break;
            await victim.kill();
            done++;
            await stack.start("prober", `prober-${started++}`);
          }
          return { faults: `${done} × kill -9 prober`, count: done };
        },
      });
    },
    scenarioTimeoutMs(profile),
  );
});
