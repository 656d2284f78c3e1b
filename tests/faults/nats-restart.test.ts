import { TestNatsServer } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, it } from "vitest";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario, sleep } from "./support/scenario.js";
import { type FaultStack, faultEnv, startFaultStack, waitForProgress } from "./support/stack.js";

/*
 * Scenario 4: the NATS server restarts while an operation runs (a test-owned nats-server on its
 * own port with a temporary store, never the shared one). Every service reconnects, its consumers
 * keep consuming, in-flight publishes are retried or handed back, and the fold stays exact.
 */
const profile = faultProfile();
const PROBERS = 2;

describe("faults: restart NATS mid-operation", () => {
  let nats: TestNatsServer;
  let stack: FaultStack;

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    stack = await startFaultStack({
      natsUrl: nats.url,
      env: faultEnv(profile, proberConcurrency(profile, PROBERS)),
    });
    await stack.startPipeline(PROBERS);
  });

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      await nats?.stop();
    }
  });

  it(
    "loses and double-counts no device",
    async () => {
      await runOperationScenario({
        id: "4-nats-restart",
        title: "restart the NATS server mid-operation (test-owned, own store)",
        profile,
        stack,
        inject: async (operationId, fleet) => {
          const restarts = profile.repeats;
          for (let i = 0; i < restarts; i++) {
            await waitForProgress(stack.db.pool, operationId, fleet.devices, (i + 1) / (restarts + 2));
            await nats.restart({ downMs: 2_000 });
            await sleep(1_000);
          }
          return { faults: `${restarts} × NATS restart (2 s down)`, count: restarts };
        },
      });
      // Every service is still up after the restarts (none crashed on a lost connection).
      for (const p of stack.group.processes)
        if (!p.running) throw new Error(`${p.name} exited:\n${p.tail()}`);
    },
    scenarioTimeoutMs(profile),
  );
});
