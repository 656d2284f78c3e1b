import { afterAll, beforeAll, describe, it } from "vitest";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario } from "./support/scenario.js";
import { type FaultStack, faultEnv, startFaultStack, waitForProgress } from "./support/stack.js";

/*
 * Scenario 2: the aggregator is killed with SIGKILL in the middle of folding, twice, and restarted.
 * Results it had pulled but not committed come back after their ack wait and are folded once;
 * results it had committed but not yet acked come back too and change nothing.
 */
const profile = faultProfile();
const PROBERS = 2;

describe("faults: kill -9 the aggregator twice mid-batch", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({ env: faultEnv(profile, proberConcurrency(profile, PROBERS)) });
    await stack.startPipeline(PROBERS, { aggregator: "aggregator-0" });
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "loses and double-counts no device",
    async () => {
      await runOperationScenario({
        id: "2-aggregator-kill",
        title: "kill -9 the aggregator twice in the middle of batches",
        profile,
        stack,
        inject: async (operationId, fleet) => {
          const kills = Math.max(2, profile.repeats);
          for (let i = 0; i < kills; i++) {
            await waitForProgress(stack.db.pool, operationId, fleet.devices, (i + 1) / (kills + 2));
            const [aggregator] = stack.running("aggregator-");
            await aggregator?.kill();
            await stack.start("aggregator", `aggregator-${i + 1}`);
          }
          return { faults: `${kills} × kill -9 aggregator`, count: kills };
        },
      });
    },
    scenarioTimeoutMs(profile),
  );
});
