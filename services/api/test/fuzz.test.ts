import {
  connectNats,
  type JetStreamClient,
  jetstream,
  jetstreamManager,
  type NatsConnection,
  provisionStreams,
} from "@headless-ops/bus";
import { ErrorBody } from "@headless-ops/contracts";
import { createLogger } from "@headless-ops/runtime";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OutboxRelay } from "../src/relay.js";
import { endpoints, type FuzzRequest, type FuzzWorld } from "./fuzz/requests.js";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";

/*
 * Bad input never hurts the API: generated requests to every endpoint (fixed seed, so a failure
 * reproduces) against real Postgres and NATS. Every answer is 2xx or 4xx, every 4xx has the error
 * shape, a rejected request writes nothing, and the server still serves afterwards.
 */

const SEED = 20_261_125;
/** Requests per endpoint, one at a time; 12 endpoints → 10,800 requests, plus the concurrent phase. */
const RUNS = 900;
const BODY_LIMIT = 64 * 1024;
/** Requests of the concurrent phase, all endpoints mixed. */
const CONCURRENT_RUNS = 1_200;

let h: Harness;
let nc: NatsConnection | undefined;
let js: JetStreamClient | undefined;
let relay: OutboxRelay | undefined;
let world: FuzzWorld;
const tally = { requests: 0, byStatus: new Map<number, number>() };

/** What a rejected request must leave untouched: row counts and the newest change of each table. */
async function fingerprint(): Promise<string> {
  const res = await h.db.pool.query(
    `SELECT (SELECT count(*) FROM operations) AS ops, (SELECT count(*) FROM devices) AS devices,
            (SELECT count(*) FROM outbox) AS outbox, (SELECT count(*) FROM operation_devices) AS ledger,
            (SELECT max(updated_at) FROM operations) AS ops_at, (SELECT max(updated_at) FROM devices) AS dev_at,
            (SELECT count(*) FROM organizations) AS orgs, (SELECT count(*) FROM api_tokens) AS tokens`,
  );
  return JSON.stringify(res.rows[0]);
}

const describeRequest = (r: FuzzRequest) => {
  const body = r.payload === undefined ? "" : String(r.payload);
  return `${r.method} ${r.url.slice(0, 300)} ${JSON.stringify(r.headers).slice(0, 300)} body(${body.length}): ${body.slice(0, 300)}`;
};

beforeAll(async () => {
  // The app with its outbox relay on real NATS, as main.ts wires it (connected once the harness exists).
  const log = createLogger("fuzz-relay", { LOG_LEVEL: "silent", LOG_PRETTY: false });
  const outbox = { wake: () => relay?.wake() } as unknown as OutboxRelay;
  h = await startHarness(
    { relay: outbox, nats: { connection: () => nc, jetstream: () => js } },
    { BODY_LIMIT_BYTES: String(BODY_LIMIT), RATE_LIMIT_MAX: "1000000" },
  );
  nc = await connectNats({ url: h.ctx.natsUrl, name: "fuzz", log });
  await provisionStreams(await jetstreamManager(nc), h.ctx.natsPrefix, 1);
  js = jetstream(nc);
  relay = new OutboxRelay({
    pool: h.db.pool,
    jetstream: () => js,
    log,
    intervalMs: 250,
    batchSize: 500,
    publishTimeoutMs: 5_000,
  });
  relay.start();
  const writer = (await h.token([101, 102])).auth;
  const foreign = (await h.token([103])).auth;
  const viewer = (await h.token([101, 102], "viewer")).auth;
  const seed = async (auth: string, url: string, payload: unknown) => {
    const res = await h.app.inject({
      method: "POST",
      url,
      headers: { authorization: auth },
      payload: payload as object,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const mine = await seed(writer, DEVICES, [device(101), device(101), device(102)]);
  const theirs = await seed(foreign, DEVICES, [device(103)]);
  const ops = [await seed(writer, OPS, referenceBody([101])), await seed(foreign, OPS, referenceBody([103]))];
  world = {
    writer,
    foreign,
    viewer,
    deviceIds: [...mine.results, ...theirs.results].map((d: { id: string }) => d.id),
    operationIds: ops.map((o) => o.id),
    bodyLimit: BODY_LIMIT,
  };
});
afterAll(async () => {
  await relay?.stop();
  await nc?.close();
  await h?.close();
});

describe("fuzz: generated requests to every endpoint", () => {
  for (const endpoint of endpoints) {
    it(`${endpoint.name}: 2xx or 4xx with the error shape, rejected requests write nothing`, async () => {
      let before = await fingerprint();
      await fc.assert(
        fc.asyncProperty(endpoint.request(world), async (request) => {
          const res = await h.app.inject(request);
          tally.requests += 1;
          tally.byStatus.set(res.statusCode, (tally.byStatus.get(res.statusCode) ?? 0) + 1);
          const what = `${res.statusCode} ${res.body.slice(0, 500)}\n  for ${describeRequest(request)}`;
          expect(res.statusCode, what).toBeGreaterThanOrEqual(200);
          expect(res.statusCode, what).toBeLessThan(500);
          expect(res.statusCode < 300 || res.statusCode >= 400, what).toBe(true);
          const after = await fingerprint();
          if (res.statusCode >= 400) {
            expect(ErrorBody.safeParse(res.json()).error, what).toBeUndefined();
            expect(after, `a rejected request changed the database: ${what}`).toBe(before);
          }
          before = after;
        }),
        { seed: SEED, numRuns: RUNS, endOnFailure: true },
      );
    });
  }

  it("concurrent bursts (16 in flight, every endpoint mixed): still never a 5xx", async () => {
    const mixed = fc.oneof(...endpoints.map((e) => e.request(world)));
    const requests = fc.sample(mixed, { seed: SEED + 1, numRuns: CONCURRENT_RUNS });
    // Many writers race on the same few hostnames, ids and idempotency keys.
    let next = 0;
    const worker = async () => {
      while (next < requests.length) {
        const request = requests[next++] as FuzzRequest;
        const res = await h.app.inject(request);
        tally.requests += 1;
        tally.byStatus.set(res.statusCode, (tally.byStatus.get(res.statusCode) ?? 0) + 1);
        const what = `${res.statusCode} ${res.body.slice(0, 500)}\n  for ${describeRequest(request)}`;
        expect(res.statusCode, what).toBeLessThan(500);
        if (res.statusCode >= 400) expect(ErrorBody.safeParse(res.json()).error, what).toBeUndefined();
      }
    };
    await Promise.all(Array.from({ length: 16 }, worker));
  });

  it("the server is still healthy and serving afterwards", async () => {
    expect(tally.requests).toBeGreaterThanOrEqual(10_000);
    const health = await h.app.inject({ method: "GET", url: "/healthz" });
    expect(health.statusCode).toBe(200);
    const created = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: world.writer },
      payload: referenceBody([101, 102]),
    });
    expect(created.statusCode, created.body).toBe(201);
    const listed = await h.app.inject({
      method: "GET",
      url: `${OPS}?id=${created.json().id}`,
      headers: { authorization: world.writer },
    });
    expect(listed.statusCode).toBe(200);
    expect(listed.json().results[0].id).toBe(created.json().id);
    // No connection leaked by a failed request: every pooled client is back.
    expect(h.db.pool.waitingCount).toBe(0);
    const statuses = [...tally.byStatus.entries()].sort(([a], [b]) => a - b);
    process.stdout.write(
      `fuzz: ${tally.requests} requests, by status ${JSON.stringify(Object.fromEntries(statuses))}\n`,
    );
  });
});
