import { afterAll, beforeAll, describe, it } from "vitest";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario } from "./support/scenario.js";
import { type FaultStack, faultEnv, startFaultStack } from "./support/stack.js";

/* Scenario 0: the same operation with no fault, the control for the timings of the others. */
const profile = faultProfile();
const PROBERS = 2;

describe("faults: control run without faults", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({ env: faultEnv(profile, proberConcurrency(profile, PROBERS)) });
    await stack.startPipeline(PROBERS);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "finishes with exact counts",
    async () => {
      await runOperationScenario({
        id: "0-control",
        title: "no fault (control)",
        profile,
        stack,
        inject: async () => ({ faults: "none", count: 0 }),
      });
    },
    scenarioTimeoutMs(profile),
  );
});
