import { provisionStreams, publishJson } from "@headless-ops/bus";
import { type DeviceJobBatch, natsNames, type Priority, priorities } from "@headless-ops/contracts";
import { TestNatsServer } from "@headless-ops/testkit";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  consumerLag,
  desiredReplicas,
  type Jsz,
  jszUrl,
  type ScalerModel,
  scalerModel,
} from "./support/keda.js";
import { find, generatedConfigMap, render } from "./support/render.js";

/*
 * The prober ScaledObject as rendered, run against a real nats-server: the stream and consumer names,
 * the /jsz query and the lag are KEDA's, the thresholds and formula are the manifest's.
 */

const prod = render("overlays/prod");
const prodModel = scalerModel(must(find(prod, "ScaledObject", "prober")));
const zeroModel = scalerModel(must(find(render("overlays/prod-scale-to-zero"), "ScaledObject", "prober")));
const prefix = must(generatedConfigMap(prod, "headless-ops-config")).data?.NATS_PREFIX ?? "";
const names = natsNames(prefix);

function must<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("missing in the render");
  return value;
}

let server: TestNatsServer;
let nc: NatsConnection;
let published = 0;

beforeAll(async () => {
  server = await TestNatsServer.start({ monitoring: true });
  nc = await connect({ servers: server.url });
  // As every service does at start.
  await provisionStreams(await jetstreamManager(nc), prefix);
}, 30_000);

afterAll(async () => {
  await nc?.close();
  await server?.stop();
});

/** Queues job messages at one priority, each a valid DeviceJobBatch. */
async function queue(priority: Priority, count: number): Promise<void> {
  const js = jetstream(nc);
  for (let i = 0; i < count; i++) {
    published += 1;
    const job: DeviceJobBatch = {
      v: 1,
      operation_id: String(published),
      operation_type: "bulk_serial_sync",
      attempt: 1,
      options: { update_firmware_info: false, validate_connectivity: false },
      devices: [{ device_id: String(published), driver: "simulated" }],
    };
    await publishJson(js, names.subjects.job(priority), job, `job-${published}-${published}-1`);
  }
}

/** The lag of every trigger, read the way KEDA reads it: one /jsz query per trigger, local endpoint. */
async function lags(model: ScalerModel): Promise<Record<string, number>> {
  const out: Record<string, number> = {};
  for (const trigger of model.triggers) {
    const res = await fetch(jszUrl(`127.0.0.1:${server.monitoringPort}`, trigger.account));
    expect(res.status).toBe(200);
    out[trigger.name] = consumerLag((await res.json()) as Jsz, trigger);
  }
  return out;
}

/** Pulls and acks every waiting job of one consumer, as probers do when they catch up. */
async function drain(consumer: string): Promise<void> {
  const c = await jetstream(nc).consumers.get(names.streams.deviceJobs, consumer);
  for (;;) {
    const batch = await c.fetch({ max_messages: 100, expires: 1_000 });
    let n = 0;
    for await (const m of batch) {
      await m.ackAck();
      n += 1;
    }
    if (n === 0) return;
  }
}

describe("KEDA prober scaling against a real nats-server", () => {
  it("reads the stream and consumers the services provision, under the configured NATS_PREFIX", async () => {
    const empty = await lags(prodModel);
    expect(Object.keys(empty).sort()).toEqual(["high", "low", "normal"]);
    expect(prodModel.triggers.map((t) => t.stream)).toEqual(priorities.map(() => names.streams.deviceJobs));
    expect(prodModel.triggers.map((t) => t.consumer).sort()).toEqual(
      priorities.map(names.consumers.prober).sort(),
    );
    expect(Object.values(empty)).toEqual([0, 0, 0]);
    expect(desiredReplicas(prodModel, empty)).toBe(prodModel.min);
    expect(prodModel.min).toBe(1);
    expect(desiredReplicas(zeroModel, empty)).toBe(0);
  });

  it("wakes a prober from zero for one waiting job", async () => {
    await queue("low", 1);
    const l = await lags(zeroModel);
    expect(l.low).toBe(1);
    expect(desiredReplicas(zeroModel, l)).toBe(1);
    expect(desiredReplicas(prodModel, l)).toBe(1);
  });

  it("scales on the sum of the three priorities and rises with the backlog", async () => {
    await drain(names.consumers.prober("low"));
    const seen: number[] = [];
    for (const step of [4, 8, 20]) {
      for (const p of priorities) await queue(p, step);
      const l = await lags(prodModel);
      const total = Object.values(l).reduce((a, b) => a + b, 0);
      const replicas = desiredReplicas(prodModel, l);
      expect(replicas).toBe(Math.min(prodModel.max, Math.ceil(total / prodModel.target)));
      // What KEDA would give taking the max over triggers: never more than the sum gives.
      const maxOfTriggers = Math.max(
        ...prodModel.triggers.map((t) => Math.ceil((l[t.name] ?? 0) / t.lagThreshold)),
      );
      expect(replicas).toBeGreaterThan(maxOfTriggers);
      seen.push(replicas);
    }
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it("counts jobs delivered but not yet acked (num_ack_pending) as lag", async () => {
    const before = await lags(prodModel);
    const c = await jetstream(nc).consumers.get(names.streams.deviceJobs, names.consumers.prober("high"));
    const batch = await c.fetch({ max_messages: 5, expires: 1_000 });
    const held = [];
    for await (const m of batch) held.push(m); // neither acked nor nak'ed yet: in flight on a prober
    expect(held).toHaveLength(5);
    const after = await lags(prodModel);
    expect(after.high).toBe(before.high);
    // Handed back, as a stopping prober does: delivered again to the next pull.
    for (const m of held) m.nak();
    await nc.flush();
  });

  it("reaches the maximum under a large backlog", async () => {
    for (const p of priorities) await queue(p, 100);
    const l = await lags(prodModel);
    expect(Object.values(l).reduce((a, b) => a + b, 0)).toBeGreaterThan(prodModel.max * prodModel.target);
    expect(desiredReplicas(prodModel, l)).toBe(prodModel.max);
    expect(desiredReplicas(zeroModel, l)).toBe(zeroModel.max);
  });

  it("falls back to the minimum when the backlog drains", async () => {
    for (const p of priorities) await drain(names.consumers.prober(p));
    const l = await lags(prodModel);
    expect(l).toEqual({ high: 0, normal: 0, low: 0 });
    expect(desiredReplicas(prodModel, l)).toBe(prodModel.min);
    expect(desiredReplicas(zeroModel, l)).toBe(0);
  });
});
