import { contracts } from "@headless-ops/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario } from "./support/scenario.js";
import {
  type FaultStack,
  faultEnv,
  startFaultStack,
  terminalRows,
  waitForProgress,
} from "./support/stack.js";

/*
 * Scenario 1b: one of two probers is killed with SIGKILL at 30 % and not replaced. Its unacked jobs
 * must come back after the job ack wait (10 s, not the former 60 s) and be finished by the other
 * prober. The bound is computed, not guessed: the ack wait, plus the time the survivor alone needs
 * for what was left at the kill (at half the rate both probers reached before it), plus a margin.
 * Nothing lost or double-counted (the common audit).
 */
const base = faultProfile();
// Small enough that the survivor's own share stays well under the ack wait's old 60 s.
const profile = { ...base, devices: Math.min(base.devices, 8_000), targetSeconds: 8 };
const PROBERS = 2;
const MARGIN_MS = 5_000;

describe("faults: kill -9 one prober at 30 %, its jobs come back within the ack wait", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({ env: faultEnv(profile, proberConcurrency(profile, PROBERS)) });
    await stack.startPipeline(PROBERS);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "finishes the killed prober's jobs within ack wait + the survivor's share, nothing lost",
    async () => {
      let recovery: { afterKillMs: number; boundMs: number } | undefined;
      await runOperationScenario({
        id: "1b-prober-recovery",
        title: "kill -9 one of two probers at 30 %, no replacement",
        profile,
        stack,
        inject: async (operationId, fleet) => {
          const firstAt = await waitForProgress(stack.db.pool, operationId, fleet.devices, 0.02).then(() =>
            performance.now(),
          );
          const doneAtFirst = await terminalRows(stack.db.pool, operationId);
          await waitForProgress(stack.db.pool, operationId, fleet.devices, 0.3);
          const victim = stack.running("prober-")[0];
          if (!victim) throw new Error("no prober running");
          const doneAtKill = await terminalRows(stack.db.pool, operationId);
          const killedAt = performance.now();
          await victim.kill();
          // Rate of both probers before the kill; the survivor alone manages about half of it.
          const rate = (doneAtKill - doneAtFirst) / Math.max(0.001, (killedAt - firstAt) / 1000);
          const survivorMs = ((fleet.devices - doneAtKill) / (rate / 2)) * 1000;
          const boundMs = contracts.deviceJobs.ackWaitMs + survivorMs + MARGIN_MS;
          await waitForProgress(stack.db.pool, operationId, fleet.devices, 1, 120_000);
          recovery = { afterKillMs: performance.now() - killedAt, boundMs };
          return { faults: "1 × kill -9 prober (not replaced)", count: 1 };
        },
      });
      expect(recovery).toBeDefined();
      const r = recovery as { afterKillMs: number; boundMs: number };
      process.stdout.write(
        `[faults] 1b: finished ${(r.afterKillMs / 1000).toFixed(1)} s after the kill (bound ${(r.boundMs / 1000).toFixed(1)} s)\n`,
      );
      // The bound only means something if it is below the old 60 s ack wait.
      expect(r.boundMs).toBeLessThan(60_000);
      expect(r.afterKillMs).toBeLessThan(r.boundMs);
    },
    scenarioTimeoutMs(profile),
  );
});
