import {
  connectNats,
  jetstream,
  jetstreamManager,
  type NatsConnection,
  provisionStreams,
} from "@headless-ops/bus";
import {
  natsNames,
  OperationFinishedEvent,
  OperationMilestoneEvent,
  OperationStartedEvent,
} from "@headless-ops/contracts";
import { claimDueOperation, type FoldRow, foldResults, withTransaction } from "@headless-ops/db";
import { createLogger } from "@headless-ops/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboxRelay } from "../src/relay.js";
import { DEVICES, device, type Harness, OPS, startHarness } from "./harness.js";

/*
 * The lifecycle events of issue 13 against real Postgres and NATS: written to the outbox in the
 * transition's transaction, published by the relay once it runs (the API was down until then), and
 * found in the OPERATIONS stream exactly once each, however often the relay republishes.
 */

const log = createLogger("lifecycle-test", { LOG_LEVEL: "silent", LOG_PRETTY: false });
let h: Harness;
let nc: NatsConnection;
let auth: string;

beforeAll(async () => {
  h = await startHarness();
  nc = await connectNats({ url: h.ctx.natsUrl, name: "lifecycle-test", log });
  await provisionStreams(await jetstreamManager(nc), h.ctx.natsPrefix);
  auth = (await h.token([101])).auth;
});
afterAll(async () => {
  await nc?.close();
  await h?.close();
});

const prefix = () => h.ctx.natsPrefix;

async function createOperation(executeAt: string): Promise<string> {
  const res = await h.app.inject({
    method: "POST",
    url: OPS,
    headers: { authorization: auth },
    payload: {
      operation_type: "status_refresh",
      target_organizations: [101],
      schedule: { execute_at: executeAt },
    },
  });
  expect(res.statusCode).toBe(201);
  return res.json().id;
}

const foldRow = (operationId: string, deviceId: string, failed: boolean): FoldRow => ({
  operationId,
  deviceId,
  outcome: failed ? "failed" : "succeeded",
  errorCode: failed ? "connection_timeouts" : null,
  errorMessage: failed ? "timed out" : null,
  observed: null,
  attempts: 1,
  startedAt: Date.now() - 10,
  finishedAt: Date.now(),
});

async function drain(relay: OutboxRelay): Promise<void> {
  while ((await relay.relayOnce()) > 0) {}
}

/** Every message of the OPERATIONS stream: subject and payload. */
async function streamMessages(): Promise<{ subject: string; data: unknown }[]> {
  const names = natsNames(prefix());
  const info = await (await jetstreamManager(nc)).streams.info(names.streams.operations);
  const consumer = await jetstream(nc).consumers.get(names.streams.operations);
  const out: { subject: string; data: unknown }[] = [];
  if (info.state.messages === 0) return out;
  const batch = await consumer.fetch({ max_messages: info.state.messages, expires: 2_000 });
  for await (const msg of batch) {
    out.push({ subject: msg.subject, data: msg.json() });
    if (out.length === info.state.messages) break;
  }
  return out;
}

describe("operation lifecycle events (outbox → JetStream)", () => {
  it("publishes started, each milestone once, and exactly one finished per ended operation, none lost while the relay was down", async () => {
    const created = await h.app.inject({
      method: "POST",
      url: DEVICES,
      headers: { authorization: auth },
      payload: Array.from({ length: 8 }, () => device(101)),
    });
    expect(created.statusCode).toBe(201);
    const running = await createOperation("2024-01-01T00:00:00Z");
    const scheduled = await createOperation("2099-01-01T00:00:00Z");

    // The API (and its relay) is down: transitions keep happening, their events wait in the outbox.
    const claimed = await withTransaction(h.db.pool, (c) => claimDueOperation(c, prefix()));
    expect(claimed).toMatchObject({ id: running, totalDevices: 8 });
    const ledger = await h.db.pool.query<{ device_id: string }>(
      "SELECT device_id FROM operation_devices WHERE operation_id = $1 ORDER BY device_id",
      [running],
    );
    const rows = ledger.rows.map((r, i) => foldRow(running, r.device_id, i === 7));
    for (let i = 0; i < 8; i += 2) {
      const fold = rows.slice(i, i + 2);
      await withTransaction(h.db.pool, (c) => foldResults(c, prefix(), fold));
      // A redelivered batch changes nothing and writes no event.
      await withTransaction(h.db.pool, (c) => foldResults(c, prefix(), fold));
    }
    const cancel = await h.app.inject({
      method: "POST",
      url: `${OPS}${scheduled}/cancel`,
      headers: { authorization: auth },
    });
    expect(cancel.statusCode).toBe(200);

    // The API comes up: the relay publishes everything, and a crash before it marked the rows sent
    // (simulated: all unsent again) republishes them, which JetStream's duplicate window drops.
    const relay = new OutboxRelay({
      pool: h.db.pool,
      jetstream: () => jetstream(nc),
      log,
      intervalMs: 50,
      batchSize: 3,
      publishTimeoutMs: 2_000,
    });
    await drain(relay);
    await h.db.pool.query("UPDATE outbox SET sent_at = NULL");
    await drain(relay);

    const names = natsNames(prefix()).subjects;
    const messages = await streamMessages();
    const of = (subject: string) => messages.filter((m) => m.subject === subject).map((m) => m.data);
    const started = of(names.operationStarted).map((d) => OperationStartedEvent.parse(d));
    expect(started).toEqual([
      expect.objectContaining({
        operation_id: running,
        status: "in_progress",
        total_devices: 8,
        organization_ids: ["101"],
      }),
    ]);
    const milestones = of(names.operationMilestone).map((d) => OperationMilestoneEvent.parse(d));
    expect(milestones.map((m) => [m.operation_id, m.milestone, m.processed_devices])).toEqual([
      [running, 25, 2],
      [running, 50, 4],
      [running, 75, 6],
    ]);
    const finished = of(names.operationFinished).map((d) => OperationFinishedEvent.parse(d));
    expect(finished.map((f) => [f.operation_id, f.status]).sort()).toEqual(
      [
        [running, "completed_with_errors"],
        [scheduled, "cancelled"],
      ].sort(),
    );
    const done = finished.find((f) => f.operation_id === running);
    expect(done).toMatchObject({
      operation_type: "status_refresh",
      total_devices: 8,
      processed_devices: 8,
      failed_devices: 1,
      error_summary: { connection_timeouts: 1 },
    });
    expect(of(names.operationCreated)).toHaveLength(2);
  });
});
