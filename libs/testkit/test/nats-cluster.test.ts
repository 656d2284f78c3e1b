import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TestNatsCluster } from "../src/nats-cluster.js";

describe("TestNatsCluster", () => {
  let cluster: TestNatsCluster;
  let nc: NatsConnection;

  beforeAll(async () => {
    cluster = await TestNatsCluster.start();
    nc = await connect({ servers: cluster.url.split(","), maxReconnectAttempts: -1, reconnectTimeWait: 250 });
  });

  afterAll(async () => {
    await nc?.close();
    await cluster?.stop();
  });

  it("keeps an R3 stream's messages when its leader is SIGKILLed, and the node catches up on restart", async () => {
    expect(cluster.url.split(",")).toHaveLength(3);
    expect(await cluster.metaLeader()).toMatch(/^n[123]$/);
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "KEEP", subjects: ["keep.>"], num_replicas: 3 });
    const js = jetstream(nc);
    for (let i = 0; i < 100; i++) await js.publish("keep.a", `m${i}`);

    const leader = await cluster.waitForStreamLeader("KEEP");
    expect((await jsm.streams.info("KEEP")).cluster?.leader).toBe(cluster.nameOf(leader));
    await cluster.kill(leader);
    expect(leader.running).toBe(false);
    const next = await cluster.waitForStreamLeader("KEEP", { not: leader });
    expect(next).not.toBe(leader);
    // The two survivors have a quorum: writes go on while the old leader is down.
    for (let i = 100; i < 150; i++) await js.publish("keep.a", `m${i}`, { timeout: 10_000 });

    const port = leader.port;
    await cluster.restart(leader);
    expect(leader.port).toBe(port);
    // Its store came back and it caught up: it can lead the group with all 150 messages.
    const state = async () => {
      const res = await fetch(`http://127.0.0.1:${leader.monitoringPort}/jsz?streams=true`);
      const jsz = (await res.json()) as {
        account_details?: { stream_detail?: { name: string; state: { messages: number } }[] }[];
      };
      return jsz.account_details?.[0]?.stream_detail?.find((s) => s.name === "KEEP")?.state.messages;
    };
    const deadline = Date.now() + 30_000;
    while ((await state()) !== 150 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(await state()).toBe(150);
    expect((await jsm.streams.info("KEEP")).state.messages).toBe(150);
  });
});
