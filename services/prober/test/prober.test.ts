import { waitFor } from "@headless-ops/testkit";
import { headers } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { simulatedRoll, simulatedSerial } from "../src/drivers/simulated.js";
import {
  createOperationRow,
  type Env,
  newProber,
  publishJob,
  readOperationResults,
  readResults,
  sim,
  startEnv,
} from "./fixtures.js";

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(() => env.close());

/** The attempt a partly failing device first succeeds at, by the simulated driver's own dice. */
function firstSuccess(deviceId: string, failRate: number, maxAttempts: number): number | undefined {
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (simulatedRoll(deviceId, attempt) >= failRate) return attempt;
  }
  return undefined;
}

describe("prober", () => {
  it("probes with the simulated driver, retries transient failures and classifies the rest", async () => {
    const op = await createOperationRow(env);
    const partly = Array.from({ length: 40 }, (_, i) => String(1000 + i));
    await publishJob(env, op, [
      sim("1", { serial: "ABC123", model: "MX480", vendor: "Juniper", firmware: "21.4" }),
      sim("2", { fail_rate: 1, fail_code: "connection_timeouts" }),
      sim("3", { fail_rate: 1, fail_code: "authentication_failures" }),
      sim("4", { latency_ms: 400 }),
      ...partly.map((id) => sim(id, { fail_rate: 0.5, fail_code: "unreachable" })),
    ]);
    const prober = newProber(env, { timeoutMs: 100, maxAttempts: 3 });
    await prober.start();
    const [batch] = await readResults(env, 1);
    await prober.stop();

    expect(batch?.operation_id).toBe(op);
    const byId = new Map(batch?.results.map((r) => [r.device_id, r]));
    expect(byId.get("1")).toMatchObject({
      outcome: "succeeded",
      attempts: 1,
      observed: { serial: "ABC123", model: "MX480", vendor: "Juniper", firmware: "21.4", reachable: true },
    });
    expect(byId.get("2")).toMatchObject({
      outcome: "failed",
      error_code: "connection_timeouts",
      attempts: 3,
    });
    expect(byId.get("3")).toMatchObject({
      outcome: "failed",
      error_code: "authentication_failures",
      attempts: 1,
    });
    expect(byId.get("4")).toMatchObject({
      outcome: "failed",
      error_code: "connection_timeouts",
      attempts: 3,
    });
    for (const id of partly) {
      const expected = firstSuccess(id, 0.5, 3);
      const result = byId.get(id);
      if (expected === undefined)
        expect(result).toMatchObject({ outcome: "failed", error_code: "unreachable", attempts: 3 });
      else
        expect(result).toMatchObject({
          outcome: "succeeded",
          attempts: expected,
          observed: { serial: simulatedSerial(id) },
        });
    }
    // The dice are not all on one side, so both branches above ran.
    expect(partly.some((id) => firstSuccess(id, 0.5, 3) === undefined)).toBe(true);
    expect(partly.some((id) => (firstSuccess(id, 0.5, 3) ?? 0) > 1)).toBe(true);
    // The job was acked after its result was published: nothing is left on the work queue.
    const jobs = await env.js.consumers.get(
      env.names.streams.deviceJobs,
      env.names.consumers.prober("normal"),
    );
    await waitFor(async () => {
      const info = await jobs.info();
      return info.num_pending + info.num_ack_pending === 0 ? true : undefined;
    });
  });

  it("drains high before normal before low", async () => {
    const op = await createOperationRow(env);
    const stream = await env.js.consumers.get(env.names.streams.deviceResults);
    const before = (await stream.info()).num_pending;
    for (let i = 0; i < 4; i++) await publishJob(env, op, [sim(`${200 + i}`, { latency_ms: 20 })], "low");
    for (let i = 0; i < 4; i++) await publishJob(env, op, [sim(`${300 + i}`, { latency_ms: 20 })], "normal");
    for (let i = 0; i < 4; i++) await publishJob(env, op, [sim(`${400 + i}`, { latency_ms: 20 })], "high");
    const prober = newProber(env, { concurrency: 1, prefetch: 1 });
    await prober.start();
    const results = (await readResults(env, before + 12)).slice(before);
    await prober.stop();
    const order = results.map((b) => Number(b.results[0]?.device_id));
    const rank = (id: number) => (id >= 400 ? 0 : id >= 300 ? 1 : 2);
    // The very first job may be whichever priority's pull answered first; after that, strict order.
    const rest = order.slice(1).map(rank);
    expect(rest).toEqual([...rest].sort((a, b) => a - b));
    expect(order.length).toBe(12);
  });

  it("reports devices of a cancelled operation as cancelled without probing them", async () => {
    const op = await createOperationRow(env, true);
    const stream = await env.js.consumers.get(env.names.streams.deviceResults);
    const before = (await stream.info()).num_pending;
    await publishJob(env, op, [sim("500", { latency_ms: 5_000 }), sim("501")]);
    const prober = newProber(env);
    await prober.start();
    const started = Date.now();
    const [batch] = (await readResults(env, before + 1)).slice(before);
    await prober.stop();
    expect(Date.now() - started).toBeLessThan(4_000);
    expect(batch?.results.map((r) => r.outcome)).toEqual(["cancelled", "cancelled"]);
  });

  it("terminates an invalid job and keeps consuming", async () => {
    const op = await createOperationRow(env);
    const stream = await env.js.consumers.get(env.names.streams.deviceResults);
    const before = (await stream.info()).num_pending;
    const h = headers();
    h.set("Nats-Msg-Id", "garbage-1");
    await env.js.publish(env.names.subjects.job("normal"), '{"v":1,"operation_id":"x"}', { headers: h });
    await env.js.publish(env.names.subjects.job("normal"), "not json");
    await publishJob(env, op, [sim("600")]);
    const prober = newProber(env);
    await prober.start();
    const [batch] = (await readResults(env, before + 1)).slice(before);
    await prober.stop();
    expect(batch?.results[0]).toMatchObject({ device_id: "600", outcome: "succeeded" });
    // Terminated and acked alike: nothing left pending or awaiting redelivery.
    const jobs = await env.js.consumers.get(
      env.names.streams.deviceJobs,
      env.names.consumers.prober("normal"),
    );
    await waitFor(async () => {
      const info = await jobs.info();
      return info.num_pending + info.num_ack_pending === 0 ? true : undefined;
    });
  });

  it("publishes the results of a slow job in parts, so progress moves before the job ends", async () => {
    const op = await createOperationRow(env);
    const fast = ["7001", "7002", "7003"].map((id) => sim(id, { serial: `F-${id}` }));
    const slow = ["7004", "7005", "7006"].map((id) => sim(id, { latency_ms: 800, serial: `S-${id}` }));
    await publishJob(env, op, [...fast, ...slow]);
    const prober = newProber(env, { timeoutMs: 5_000, resultFlushMs: 100 });
    await prober.start();
    const batches = await readOperationResults(env, op, 6);
    await prober.stop();

    // The fast devices went out first, on their own, while the slow ones were still being probed.
    expect(batches.length).toBeGreaterThanOrEqual(2);
    expect(batches[0]?.results.map((r) => r.device_id).sort()).toEqual(["7001", "7002", "7003"]);
    // Every device exactly once across the parts, each with what it reported.
    const all = batches.flatMap((b) => b.results);
    expect(all.map((r) => r.device_id).sort()).toEqual(["7001", "7002", "7003", "7004", "7005", "7006"]);
    for (const r of all) {
      expect(r).toMatchObject({
        outcome: "succeeded",
        observed: { serial: expect.stringMatching(/^[FS]-/) },
      });
    }
  });
});
