import { jetstreamManager } from "@headless-ops/bus";
import { natsNames } from "@headless-ops/contracts";
import type { ServiceProcess } from "@headless-ops/testkit";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { metricSum } from "../e2e/support/observe.js";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario } from "./support/scenario.js";
import { type FaultStack, faultEnv, startFaultStack, waitForProgress } from "./support/stack.js";

/*
 * Scenario 6: each service gets SIGTERM while it works (the scheduler during the fan-out, a prober
 * and the aggregator mid-operation, then the other prober) and a replacement is started. Each
 * stops taking work, finishes or hands back what it holds, and exits 0 within its grace period;
 * nothing it finished comes back: one result per device on the wire, and the aggregators folded
 * every result they received (none was a redelivery of a committed fold).
 */
const profile = faultProfile();
const PROBERS = 2;
const GRACE_MS = 10_000;

describe("faults: SIGTERM each service mid-work", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({
      env: {
        ...faultEnv(profile, proberConcurrency(profile, PROBERS)),
        SHUTDOWN_GRACE_MS: String(GRACE_MS),
        FANOUT_PAGE_SIZE: "200",
        FANOUT_BATCH_SIZE: "100",
      },
    });
    await Promise.all([
      stack.start("scheduler", "scheduler-0"),
      stack.start("aggregator", "aggregator-0"),
      ...Array.from({ length: PROBERS }, (_, i) => stack.start("prober", `prober-${i}`)),
    ]);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "exits 0 within the grace period and redelivers nothing it finished",
    async () => {
      const stops: { name: string; code: number | null; ms: number; tail?: string }[] = [];
      const aggregators: ServiceProcess[] = [];
      const term = async (proc: ServiceProcess | undefined, replacement: () => Promise<ServiceProcess>) => {
        if (!proc) throw new Error("no process to stop");
        const t0 = performance.now();
        const exit = await proc.stop({ timeoutMs: GRACE_MS + 2_000, expectCode: null });
        stops.push({
          name: proc.name,
          code: exit.code,
          ms: Math.round(performance.now() - t0),
          ...(exit.code === 0 ? {} : { tail: proc.tail(15) }),
        });
        return replacement();
      };
      const { operationId } = await runOperationScenario({
        id: "6-sigterm",
        title: "SIGTERM each service mid-work (scheduler mid-fan-out, prober, aggregator, prober)",
        profile,
        stack,
        inject: async (opId, fleet) => {
          const pool = stack.db.pool;
          // The scheduler while it fans out.
          while (
            !(
              await pool.query("SELECT 1 FROM operations WHERE id = $1 AND fanout_cursor IS NOT NULL", [opId])
            ).rowCount
          ) {
            await new Promise((r) => setTimeout(r, 5));
          }
          await term(stack.running("scheduler-")[0], () => stack.start("scheduler", "scheduler-1"));
          await waitForProgress(pool, opId, fleet.devices, 0.2);
          await term(stack.running("prober-0")[0], () => stack.start("prober", "prober-2"));
          await waitForProgress(pool, opId, fleet.devices, 0.45);
          const [aggregator] = stack.running("aggregator-");
          if (aggregator) aggregators.push(aggregator);
          await metricsBeforeStop(aggregator, folded);
          aggregators.push(await term(aggregator, () => stack.start("aggregator", "aggregator-1")));
          await waitForProgress(pool, opId, fleet.devices, 0.7);
          await term(stack.running("prober-1")[0], () => stack.start("prober", "prober-3"));
          return { faults: "SIGTERM scheduler, prober, aggregator, prober", count: 4 };
        },
      });
      // Each stopped with code 0 inside its grace period (the output of any that did not is shown).
      expect(stops.filter((s) => s.code !== 0 || s.ms >= GRACE_MS)).toEqual([]);
      expect(stops.map((s) => s.name)).toEqual(["scheduler-0", "prober-0", "aggregator-0", "prober-1"]);
      // Every result the aggregators received moved a ledger row: none was a redelivery of a fold.
      const last = aggregators[aggregators.length - 1];
      if (last) await metricsBeforeStop(last, folded);
      expect(folded.received).toBe(folded.moved);
      const nc = await connect({ servers: stack.natsUrl });
      try {
        const jsm = await jetstreamManager(nc);
        const names = natsNames(stack.natsPrefix);
        const agg = await jsm.consumers.info(names.streams.deviceResults, names.consumers.aggregator);
        expect(agg.num_redelivered, "result messages redelivered to the aggregator").toBe(0);
      } finally {
        await nc.close();
      }
      expect(operationId).toBeTruthy();
    },
    scenarioTimeoutMs(profile),
  );
});

const folded = { received: 0, moved: 0 };

/** Adds an aggregator's received/folded counters (read before it stops: they live in its memory). */
async function metricsBeforeStop(proc: ServiceProcess | undefined, into: typeof folded): Promise<void> {
  if (!proc?.running) return;
  into.received += await metricSum(proc.url, "aggregator_results_received_total");
  into.moved += await metricSum(proc.url, "aggregator_results_folded_total");
}
