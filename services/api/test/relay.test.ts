import {
  connectNats,
  jetstream,
  jetstreamManager,
  type NatsConnection,
  provisionStreams,
} from "@headless-ops/bus";
import { natsNames } from "@headless-ops/contracts";
import { createLogger } from "@headless-ops/runtime";
import { waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { OutboxRelay } from "../src/relay.js";
import { type Harness, OPS, referenceBody, startHarness } from "./harness.js";

const log = createLogger("relay-test", { LOG_LEVEL: "silent", LOG_PRETTY: false });
let h: Harness;
let nc: NatsConnection;
let auth: string;

beforeAll(async () => {
  h = await startHarness();
  nc = await connectNats({ url: h.ctx.natsUrl, name: "relay-test", log });
  auth = (await h.token([101, 102, 103])).auth;
});
afterAll(async () => {
  await nc?.close();
  await h?.close();
});

const relay = (js = jetstream(nc), batchSize = 20) =>
  new OutboxRelay({
    pool: h.db.pool,
    jetstream: () => js,
    log,
    intervalMs: 50,
    batchSize,
    publishTimeoutMs: 2_000,
  });

async function createOperations(n: number): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < n; i += 1) {
    const res = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: auth },
      payload: referenceBody(),
    });
    expect(res.statusCode).toBe(201);
    ids.push(res.json().id);
  }
  return ids;
}

const unsent = async () =>
  (await h.db.pool.query<{ n: number }>("SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL"))
    .rows[0]?.n;

/** Every `operation.created` the stream holds, read back through a consumer. */
async function deliveredOperationIds(): Promise<string[]> {
  const names = natsNames(h.ctx.natsPrefix);
  const consumer = await jetstream(nc).consumers.get(names.streams.operations);
  const info = await (await jetstreamManager(nc)).streams.info(names.streams.operations);
  const out: string[] = [];
  if (info.state.messages === 0) return out;
  const batch = await consumer.fetch({ max_messages: info.state.messages, expires: 2_000 });
  for await (const msg of batch) {
    out.push((msg.json() as { operation_id: string }).operation_id);
    if (out.length === info.state.messages) break;
  }
  return out;
}

describe("outbox relay", () => {
  it("keeps events while JetStream cannot take them, and publishes them once it can", async () => {
    const ids = await createOperations(3);
    // Not connected yet: nothing happens, nothing is lost.
    expect(
      await new OutboxRelay({
        pool: h.db.pool,
        jetstream: () => undefined,
        log,
        intervalMs: 50,
        batchSize: 20,
        publishTimeoutMs: 500,
      }).relayOnce(),
    ).toBe(0);
    // Connected, but the streams are not there (publish fails): rows stay unsent with an attempt counted.
    expect(await relay(jetstream(nc, { timeout: 500 })).relayOnce()).toBe(0);
    expect(await unsent()).toBe(3);
    const attempts = await h.db.pool.query("SELECT attempts FROM outbox ORDER BY id");
    expect(attempts.rows.map((r) => r.attempts)).toEqual([1, 1, 1]);

    await provisionStreams(await jetstreamManager(nc), h.ctx.natsPrefix);
    expect(await relay().relayOnce()).toBe(3);
    expect(await unsent()).toBe(0);
    expect((await deliveredOperationIds()).sort()).toEqual(ids.sort());
  });

  it("delivers each event exactly once with two relays running at once", async () => {
    const before = (await deliveredOperationIds()).length;
    const ids = await createOperations(60);
    const a = relay(jetstream(nc), 7);
    const b = relay(jetstream(nc), 7);
    let published = 0;
    const drain = async (r: OutboxRelay) => {
      for (let sent = await r.relayOnce(); sent > 0 || (await unsent()) !== 0; sent = await r.relayOnce()) {
        published += sent;
      }
    };
    await Promise.all([drain(a), drain(b)]);
    // No row was published by both relays (the duplicate window would hide it; this does not).
    expect(published).toBe(60);
    const delivered = await deliveredOperationIds();
    expect(delivered.length).toBe(before + 60);
    expect(new Set(delivered).size).toBe(delivered.length);
    expect(delivered).toEqual(expect.arrayContaining(ids));
    const scheduler = await (await jetstreamManager(nc)).consumers.info(
      natsNames(h.ctx.natsPrefix).streams.operations,
      natsNames(h.ctx.natsPrefix).consumers.scheduler,
    );
    expect(scheduler.num_pending).toBe(before + 60);
  });

  it("publishes right after a POST when the app runs a relay", async () => {
    const running = relay();
    const app = await buildApp({ config: h.config, log, db: h.db, relay: running });
    running.start();
    try {
      const res = await app.inject({
        method: "POST",
        url: OPS,
        headers: { authorization: auth },
        payload: referenceBody(),
      });
      expect(res.statusCode).toBe(201);
      const id = res.json().id;
      await waitFor(async () => ((await deliveredOperationIds()).includes(id) ? true : undefined), {
        timeoutMs: 5_000,
      });
    } finally {
      await running.stop();
      await app.close();
    }
  });
});
