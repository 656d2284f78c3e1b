import type { AddressInfo } from "node:net";
import { connectNats, jetstream, type NatsConnection, publishCoreJson } from "@headless-ops/bus";
import { natsNames, type OperationProgressEvent } from "@headless-ops/contracts";
import { createLogger } from "@headless-ops/runtime";
import { openSse, type SseConnection } from "@headless-ops/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiMetrics } from "../src/metrics.js";
import { DEVICES, device, type Harness, OPS, startHarness } from "./harness.js";
import { seedRunning } from "./ledger.js";

/*
 * The live-progress streams through a real listening API, real Postgres and real NATS: what a
 * dashboard or `ops watch` sees, with the aggregator's part played by publishing its progress event.
 */

const log = createLogger("sse-test", { LOG_LEVEL: "silent", LOG_PRETTY: false });
let h: Harness;
let nc: NatsConnection;
let apiNc: NatsConnection;
let base: string;
let auth: string;
let deviceIds: string[];
const open: SseConnection[] = [];
// Only the live-progress gauges are read: the pool behind the operations gauge is never queried.
const metrics = createApiMetrics(new pg.Pool({ max: 1 }));

beforeAll(async () => {
  // The API's own connection, as main.ts gives it (it may come after the app: a getter).
  h = await startHarness(
    { nats: { connection: () => apiNc, jetstream: () => jetstream(apiNc) }, metrics },
    { SSE_POLL_MS: "200", SSE_HEARTBEAT_MS: "300", SSE_MAX_EVENTS_PER_SECOND: "20" },
  );
  nc = await connectNats({ url: h.ctx.natsUrl, name: "sse-test", log });
  apiNc = await connectNats({ url: h.ctx.natsUrl, name: "sse-api", log });
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  base = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  auth = (await h.token([101])).auth;
  const res = await h.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: auth },
    payload: Array.from({ length: 4 }, () => device(101)),
  });
  deviceIds = res.json().results.map((d: { id: string }) => d.id);
});
afterAll(async () => {
  for (const c of open) c.close();
  await h?.close();
  await apiNc?.close();
  await nc?.close();
});

async function runningOperation(): Promise<string> {
  const res = await h.app.inject({
    method: "POST",
    url: OPS,
    headers: { authorization: auth },
    payload: { operation_type: "status_refresh", target_organizations: [101] },
  });
  const id = res.json().id as string;
  await seedRunning(
    h.db.pool,
    id,
    deviceIds.map((device_id) => ({ device_id, status: "dispatched" as const })),
  );
  return id;
}

async function stream(id: string, headers: Record<string, string> = {}): Promise<SseConnection> {
  const c = await openSse(`${base}${OPS}${id}/events`, { authorization: auth, ...headers });
  open.push(c);
  return c;
}

const progressEvent = (id: string, processed: number): OperationProgressEvent => ({
  v: 1,
  operation_id: id,
  status: "in_progress",
  progress: Math.floor((100 * processed) / 4),
  total_devices: 4,
  processed_devices: processed,
  failed_devices: 0,
  error_summary: {},
  devices_per_second: 123.4,
  estimated_completion: null,
  updated_at: new Date(Date.now() + processed).toISOString(),
});

async function metric(name: string): Promise<number> {
  // The registry main.ts serves on METRICS_PORT (the public port has no /metrics).
  const text = await metrics.registry.getSingleMetricAsString(name);
  return Number(new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text)?.[1]);
}

describe("live progress over Server-Sent Events", () => {
  it("streams snapshot, progress and finished to two clients sharing one NATS subscription, then ends", async () => {
    const id = await runningOperation();
    const a = await stream(id);
    const b = await stream(id);
    expect(a.status).toBe(200);
    expect(a.headers.get("content-type")).toMatch(/^text\/event-stream/);
    for (const c of [a, b]) {
      const snapshot = await c.next();
      expect(snapshot).toMatchObject({
        event: "snapshot",
        data: { id, status: "in_progress", processed_devices: 0 },
      });
      expect(snapshot?.id).toBeTruthy();
    }
    expect(await metric("sse_streams_open")).toBe(2);
    expect(await metric("sse_nats_subscriptions")).toBe(1);

    await apiNc.flush();
    publishCoreJson(nc, natsNames(h.ctx.natsPrefix).subjects.progress(id), progressEvent(id, 2));
    for (const c of [a, b]) {
      expect(await c.next()).toMatchObject({
        event: "progress",
        data: { id, processed_devices: 2, progress: 50, devices_per_second: 123.4 },
      });
    }

    // The operation ends (as the aggregator's fold would end it): the poll brings the final row.
    await h.db.pool.query(
      `UPDATE operations SET status = 'completed', processed_devices = 4, progress = 100,
              finished_at = now(), updated_at = now() + interval '1 second' WHERE id = $1`,
      [id],
    );
    for (const c of [a, b]) {
      let event = await c.next();
      while (event?.event === "progress") event = await c.next();
      expect(event).toMatchObject({ event: "finished", data: { id, status: "completed", progress: 100 } });
      expect((event?.data as { finished_at?: string | null } | undefined)?.finished_at).toBeTruthy();
      expect(await c.next()).toBeUndefined();
    }
    expect(await metric("sse_streams_open")).toBe(0);
  });

  it("resumes with a fresh snapshot after Last-Event-ID, sends heartbeats, and 404s a foreign or unknown id", async () => {
    const id = await runningOperation();
    const first = await stream(id);
    const snapshot = await first.next();
    first.close();
    await h.db.pool.query(
      "UPDATE operations SET processed_devices = 3, progress = 75, updated_at = now() WHERE id = $1",
      [id],
    );
    const again = await stream(id, { "last-event-id": snapshot?.id ?? "" });
    expect(await again.next()).toMatchObject({ event: "snapshot", data: { id, processed_devices: 3 } });
    // Nothing changes: no event, but a heartbeat comment within SSE_HEARTBEAT_MS.
    await expect(again.next(700)).rejects.toThrow(/no SSE event/);
    expect(again.comments()).toContain("heartbeat");
    again.close();

    const foreign = (await h.token([102])).auth;
    const res = await fetch(`${base}${OPS}${id}/events`, { headers: { authorization: foreign } });
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual({ detail: expect.any(String), errors: [] });
    const unknown = await fetch(`${base}${OPS}999999/events`, { headers: { authorization: auth } });
    expect(unknown.status).toBe(404);
    const anonymous = await fetch(`${base}${OPS}${id}/events`);
    expect(anonymous.status).toBe(401);
  });

  it("list stream: a snapshot of visible operations, then each change of a visible one, never another tenant's", async () => {
    const list = await openSse(`${base}${OPS}events`, { authorization: auth });
    open.push(list);
    const snapshot = await list.next();
    expect(snapshot?.event).toBe("snapshot");
    const visible = await runningOperation();
    const other = (await h.token([102])).auth;
    const hidden = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: other },
      payload: { operation_type: "status_refresh", target_organizations: [102] },
    });
    expect(hidden.statusCode).toBe(201);
    const seen = new Set<string>();
    const deadline = Date.now() + 5_000;
    while (!seen.has(visible) && Date.now() < deadline) {
      const event = await list.next(5_000);
      expect(event?.event).toBe("operation");
      seen.add((event?.data as { id?: string } | undefined)?.id ?? "");
    }
    expect(seen).toContain(visible);
    expect(seen).not.toContain(hidden.json().id);
  });
});
