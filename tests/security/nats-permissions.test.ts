import {
  connectNats,
  consumerConfigs,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type NatsConnection,
  provisionStreams,
} from "@headless-ops/bus";
import { natsNames } from "@headless-ops/contracts";
import { createLogger, loadConfig } from "@headless-ops/runtime";
import { randomNatsPrefix } from "@headless-ops/testkit";
import { AckPolicy } from "@nats-io/jetstream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsUserName, type SecureNats, startSecureNats } from "./support/secure-nats.js";

/*
 * The shipped nats-server configuration (deploy/nats, from the same generator) on a real server:
 * each service's credentials can do its own job and nothing else.
 */

const log = createLogger("nats-permissions", { LOG_LEVEL: "silent", LOG_PRETTY: false });
const prefix = randomNatsPrefix();
const n = natsNames(prefix);
const payload = new TextEncoder().encode(JSON.stringify({ v: 1, forged: true }));

let nats: SecureNats;
const open: NatsConnection[] = [];
let monitor: JetStreamManager;

async function as(user: NatsUserName): Promise<NatsConnection> {
  const nc = await connectNats({ config: loadConfig(nats.env(user)), name: user, log });
  open.push(nc);
  return nc;
}

async function messages(stream: string): Promise<number> {
  return (await monitor.streams.info(stream)).state.messages;
}

beforeAll(async () => {
  nats = await startSecureNats({ prefix });
  const provisioner = await as("provisioner");
  const jsm = await jetstreamManager(provisioner);
  await provisionStreams(jsm, prefix);
  await provisionStreams(jsm, prefix); // the update path is allowed too
  monitor = await jetstreamManager(await as("monitor"));
});

afterAll(async () => {
  await Promise.allSettled(open.map((nc) => nc.close()));
  await nats?.stop();
});

describe("NATS authentication", () => {
  it("refuses an anonymous connection and a wrong password", async () => {
    await expect(nats.connectOnce({})).rejects.toThrow(/Authorization Violation/i);
    await expect(nats.connectOnce({ NATS_USER: "prober", NATS_PASSWORD: "guessed" })).rejects.toThrow(
      /Authorization Violation/i,
    );
  });
});

describe("NATS permissions per service", () => {
  it("lets the provisioner create every stream and consumer, and the monitor read them", async () => {
    for (const stream of Object.values(n.streams)) expect(await messages(stream)).toBe(0);
    for (const { stream, config } of consumerConfigs(prefix)) {
      const info = await monitor.consumers.info(stream, config.durable_name as string);
      expect(info.config.ack_policy).toBe(AckPolicy.Explicit);
    }
  });

  it("lets the api publish operation.created, and nothing it may not", async () => {
    const js = jetstream(await as("api"));
    await js.publish(n.subjects.operationCreated, payload, { msgID: "api-ok" });
    expect(await messages(n.streams.operations)).toBe(1);
    await expect(js.publish(n.subjects.result, payload)).rejects.toThrow(/permissions violation/i);
    await expect(js.publish(n.subjects.job("high"), payload)).rejects.toThrow(/permissions violation/i);
    expect(await messages(n.streams.deviceResults)).toBe(0);
    expect(await messages(n.streams.deviceJobs)).toBe(0);
  });

  it("keeps a prober's credentials from publishing a job or a forged operation event", async () => {
    const nc = await as("prober");
    const js = jetstream(nc);
    await expect(js.publish(n.subjects.job("normal"), payload)).rejects.toThrow(/permissions violation/i);
    await expect(js.publish(n.subjects.operationCreated, payload)).rejects.toThrow(/permissions violation/i);
    // Fire-and-forget publishes are dropped by the server as well.
    nc.publish(n.subjects.job("high"), payload);
    nc.publish(n.subjects.operationCreated, payload);
    await nc.flush();
    expect(await messages(n.streams.deviceJobs)).toBe(0);
    expect(await messages(n.streams.operations)).toBe(1);
    // What a prober may do: publish results.
    await js.publish(n.subjects.result, payload, { msgID: "prober-ok" });
    expect(await messages(n.streams.deviceResults)).toBe(1);
  });

  it("lets no service change, delete or add to the streams and consumers", async () => {
    for (const user of ["api", "scheduler", "prober", "aggregator"] as const) {
      const jsm = await jetstreamManager(await as(user));
      await expect(jsm.streams.delete(n.streams.deviceResults), user).rejects.toThrow(
        /permissions violation/i,
      );
      await expect(jsm.streams.purge(n.streams.deviceJobs), user).rejects.toThrow(/permissions violation/i);
      await expect(
        jsm.consumers.add(n.streams.deviceResults, {
          durable_name: `spy-${user}`,
          ack_policy: AckPolicy.None,
        }),
        user,
      ).rejects.toThrow(/permissions violation/i);
    }
    expect(await messages(n.streams.deviceResults)).toBe(1);
    const names = (await monitor.consumers.list(n.streams.deviceResults).next()).map((c) => c.name);
    expect(names).toEqual([n.consumers.aggregator]);
  });

  it("keeps a service from reading another service's subjects or replies", async () => {
    const aggregator = await as("aggregator");
    const seen: string[] = [];
    for (const subject of [`${n.subjects.jobsAll}`, "_INBOX.prober.>", "_INBOX.>"]) {
      const sub = aggregator.subscribe(subject);
      void (async () => {
        for await (const m of sub) seen.push(m.subject);
      })().catch(() => undefined);
    }
    const scheduler = await as("scheduler");
    await jetstream(scheduler).publish(n.subjects.job("low"), payload, { msgID: "scheduler-ok" });
    expect(await messages(n.streams.deviceJobs)).toBe(1);
    // A prober pulls the job: the delivery goes to the prober's inbox, which the aggregator tried to watch.
    const prober = jetstream(await as("prober"));
    const consumer = await prober.consumers.get(n.streams.deviceJobs, n.consumers.prober("low"));
    const msg = await consumer.next({ expires: 2_000 });
    expect(msg?.subject).toBe(n.subjects.job("low"));
    msg?.ack();
    await aggregator.flush().catch(() => undefined);
    await new Promise((r) => setTimeout(r, 300));
    expect(seen).toEqual([]);
  });
});
