import { randomBytes } from "node:crypto";
import type { OperationFinishedEvent } from "@headless-ops/contracts";
import { createLogger, createWebhookAddressGuard, loadConfig } from "@headless-ops/runtime";
import { startWorkerEnv, type WorkerTestEnv, waitFor } from "@headless-ops/testkit";
import type { Worker } from "@headless-ops/worker";
import type { FastifyInstance } from "fastify";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../../api/src/app.js";
import { generateToken, hashToken } from "../../api/src/tokens.js";
import { buildNotifier } from "../src/build-notifier.js";
import { startReceiver } from "./receiver.js";

/*
 * The notifier against real Postgres and NATS: webhooks are created through the API (secret sealed
 * there), events are published to JetStream as the outbox relay publishes them (SSE-CONTRACT.md), and
 * a receiver on loopback answers per path.
 */

const CREDENTIAL_KEY = randomBytes(32).toString("base64");
const TUNING = {
  CREDENTIAL_KEY,
  ALLOW_LOOPBACK: "true",
  NOTIFIER_RETRY_BASE_MS: "50",
  NOTIFIER_RETRY_MAX_MS: "200",
  NOTIFIER_TIMEOUT_MS: "2000",
  NOTIFIER_POLL_MS: "50",
  NOTIFIER_CONCURRENCY: "4",
};

let env: WorkerTestEnv;
let api: FastifyInstance;
let strictApi: FastifyInstance;
let worker: Worker;
let auth: string;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let nextOp = 1000;

async function createHook(path: string, events = ["operation.finished"], org = 101) {
  const res = await api.inject({
    method: "POST",
    url: "/api/v1/webhooks/",
    headers: { authorization: auth },
    payload: { organization_id: org, url: receiver.url(path), events },
  });
  expect(res.statusCode, res.body).toBe(201);
  return res.json() as { id: string; secret: string };
}

async function publishFinished(orgs = ["101"]): Promise<OperationFinishedEvent> {
  const event: OperationFinishedEvent = {
    v: 1,
    operation_id: String(nextOp++),
    status: "completed_with_errors",
    organization_ids: orgs,
    operation_type: "bulk_serial_sync",
    total_devices: 10,
    processed_devices: 10,
    failed_devices: 1,
    error_summary: { connection_timeouts: 1 },
    finished_at: new Date().toISOString(),
  };
  await env.js.publish(env.names.subjects.operationFinished, JSON.stringify(event), {
    msgID: `op-${event.operation_id}-finished`,
  });
  return event;
}

async function deliveriesOf(hookId: string) {
  const res = await api.inject({
    method: "GET",
    url: `/api/v1/webhooks/${hookId}/deliveries/`,
    headers: { authorization: auth },
  });
  expect(res.statusCode).toBe(200);
  return res.json().results as {
    id: string;
    msg_id: string;
    status: string;
    attempt_count: number;
    attempts: { status_code: number | null; latency_ms: number; error: string | null }[];
  }[];
}

beforeAll(async () => {
  receiver = await startReceiver({
    "/flaky": (n) => (n <= 3 ? 500 : 200),
    "/hang": () => "hang",
    "/redirect": () => 302,
  });
  env = await startWorkerEnv("notifier-test", { env: TUNING });
  await env.db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme'), (102, 'Beta')");
  const log = createLogger("api-test", env.config);
  api = await buildApp({ config: env.config, log, db: env.db });
  strictApi = await buildApp({ config: loadConfig({ ...env.ctx.env, CREDENTIAL_KEY }), log, db: env.db });
  const token = generateToken();
  await env.db.pool.query(
    "INSERT INTO api_tokens (token_hash, role, organization_ids) VALUES ($1, 'operator', '{101}')",
    [hashToken(token)],
  );
  auth = `Bearer ${token}`;
  worker = buildNotifier(env.deps());
  await worker.start();
});

afterAll(async () => {
  await worker?.stop();
  await api?.close();
  await strictApi?.close();
  await env?.close();
  await receiver?.close();
});

describe("notifier", () => {
  it("signs deliveries with the Standard Webhooks scheme (verified with the standardwebhooks library)", async () => {
    const hook = await createHook("/signed");
    expect(hook.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const event = await publishFinished();
    const got = await waitFor(() => receiver.on("/signed")[0], { timeoutMs: 10_000 });
    const headers = got.headers as Record<string, string>;
    const verified = new Webhook(hook.secret).verify(got.body, headers) as { type: string; data: unknown };
    expect(verified).toEqual({ type: "operation.finished", timestamp: event.finished_at, data: event });
    expect(headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
    expect(headers["webhook-id"]).toBe(`msg_op-${event.operation_id}-finished_w${hook.id}`);
    expect(() =>
      new Webhook(`whsec_${randomBytes(32).toString("base64")}`).verify(got.body, headers),
    ).toThrow();
  });

  it("retries a receiver answering 500 three times, then 200: acknowledged once, 4 attempts recorded", async () => {
    const hook = await createHook("/flaky");
    await publishFinished();
    const [delivery] = await waitFor(
      async () => {
        const list = await deliveriesOf(hook.id);
        return list[0]?.status === "succeeded" ? list : undefined;
      },
      { timeoutMs: 15_000 },
    );
    expect(delivery?.attempts.map((a) => a.status_code)).toEqual([500, 500, 500, 200]);
    expect(delivery?.attempt_count).toBe(4);
    expect(delivery?.attempts.every((a) => a.latency_ms >= 0)).toBe(true);
    const requests = receiver.on("/flaky");
    expect(requests).toHaveLength(4);
    expect(new Set(requests.map((r) => r.headers["webhook-id"])).size).toBe(1);
    // No further attempt once acknowledged.
    await new Promise((r) => setTimeout(r, 500));
    expect(receiver.on("/flaky")).toHaveLength(4);
  });

  it("a receiver that never answers does not delay deliveries to another", async () => {
    const slow = await createHook("/hang");
    await createHook("/fast");
    const publishedAt = Date.now();
    await publishFinished();
    await publishFinished();
    await publishFinished();
    const fast = await waitFor(() => (receiver.on("/fast").length === 3 ? receiver.on("/fast") : undefined), {
      timeoutMs: 10_000,
    });
    expect(receiver.on("/hang").length).toBeGreaterThanOrEqual(1);
    // Well inside the 2 s per-attempt timeout the hanging receiver is holding.
    expect(Math.max(...fast.map((r) => r.at)) - publishedAt).toBeLessThan(1_500);
    const timedOut = await waitFor(
      async () => (await deliveriesOf(slow.id)).find((d) => d.attempts.length > 0)?.attempts[0],
      { timeoutMs: 10_000 },
    );
    expect(timedOut).toMatchObject({ status_code: null, error: "no answer within 2000 ms" });
    expect(timedOut.latency_ms).toBeGreaterThanOrEqual(1_900);
  });

  it("does not follow redirects: a 3xx is a failed attempt", async () => {
    const hook = await createHook("/redirect");
    await publishFinished();
    const attempt = await waitFor(async () => (await deliveriesOf(hook.id))[0]?.attempts[0], {
      timeoutMs: 10_000,
    });
    expect(attempt).toMatchObject({ status_code: 302, error: "redirect not followed" });
  });

  it("refuses a URL resolving to a denied address at save (422) and at delivery", async () => {
    const refused = await strictApi.inject({
      method: "POST",
      url: "/api/v1/webhooks/",
      headers: { authorization: auth },
      payload: {
        organization_id: 101,
        url: `http://localhost:${receiver.port}/denied`,
        events: ["operation.finished"],
      },
    });
    expect(refused.statusCode).toBe(422);
    expect(refused.json().errors).toEqual([
      { path: "url", message: expect.stringMatching(/^address refused: localhost resolves to .*loopback/) },
    ]);
    for (const url of [
      "https://169.254.169.254/latest/meta-data",
      "https://10.0.0.5/hook",
      "ftp://example.com/",
    ]) {
      const res = await api.inject({
        method: "POST",
        url: "/api/v1/webhooks/",
        headers: { authorization: auth },
        payload: { organization_id: 101, url, events: ["operation.finished"] },
      });
      expect(res.statusCode, url).toBe(422);
    }
    // Saved while loopback was allowed; a notifier whose guard now denies it refuses to connect.
    const hook = await createHook("/denied", ["operation.finished"], 101);
    await env.db.pool.query("UPDATE webhooks SET enabled = false WHERE id <> $1", [hook.id]);
    const strict = buildNotifier(env.deps(loadConfig({ ...env.ctx.env, ...TUNING })), {
      guard: createWebhookAddressGuard({
        ALLOWED_NETWORKS: "",
        DENIED_NETWORKS: "127.0.0.0/8",
        ALLOW_LOOPBACK: true,
      }),
    });
    await worker.stop();
    await strict.start();
    try {
      await publishFinished();
      const attempt = await waitFor(async () => (await deliveriesOf(hook.id))[0]?.attempts[0], {
        timeoutMs: 10_000,
      });
      expect(attempt.status_code).toBeNull();
      expect(attempt.error).toMatch(/^address refused: in denied network 127\.0\.0\.0\/8/);
      expect(receiver.on("/denied")).toHaveLength(0);
    } finally {
      await strict.stop();
      await env.db.pool.query("UPDATE webhooks SET enabled = true");
      worker = buildNotifier(env.deps());
      await worker.start();
    }
  });

  it("redelivers by hand with the same webhook-id; viewers get 403; other organizations' webhooks stay invisible", async () => {
    const hook = await createHook("/again");
    await publishFinished();
    const [first] = await waitFor(
      async () => {
        const list = await deliveriesOf(hook.id);
        return list[0]?.status === "succeeded" ? list : undefined;
      },
      { timeoutMs: 10_000 },
    );
    const res = await api.inject({
      method: "POST",
      url: `/api/v1/webhooks/${hook.id}/deliveries/${first?.id}/redeliver`,
      headers: { authorization: auth },
    });
    expect(res.statusCode).toBe(202);
    const again = await waitFor(
      () => (receiver.on("/again").length === 2 ? receiver.on("/again") : undefined),
      {
        timeoutMs: 10_000,
      },
    );
    expect(again[1]?.headers["webhook-id"]).toBe(again[0]?.headers["webhook-id"]);
    const viewer = generateToken();
    const other = generateToken();
    await env.db.pool.query(
      "INSERT INTO api_tokens (token_hash, role, organization_ids) VALUES ($1, 'viewer', '{101}'), ($2, 'admin', '{102}')",
      [hashToken(viewer), hashToken(other)],
    );
    const asViewer = await api.inject({
      method: "GET",
      url: "/api/v1/webhooks/",
      headers: { authorization: `Bearer ${viewer}` },
    });
    expect(asViewer.statusCode).toBe(403);
    const foreign = await api.inject({
      method: "GET",
      url: `/api/v1/webhooks/${hook.id}`,
      headers: { authorization: `Bearer ${other}` },
    });
    expect(foreign.statusCode).toBe(404);
    const list = await api.inject({
      method: "GET",
      url: "/api/v1/webhooks/",
      headers: { authorization: `Bearer ${other}` },
    });
    expect(list.json().count).toBe(0);
  });

  it("delivers only the subscribed milestones, and gives up at once on a secret that does not open", async () => {
    const res = await api.inject({
      method: "POST",
      url: "/api/v1/webhooks/",
      headers: { authorization: auth },
      payload: {
        organization_id: 101,
        url: receiver.url("/milestones"),
        events: ["operation.progress_milestone"],
        milestones: [50],
      },
    });
    expect(res.statusCode).toBe(201);
    const op = String(nextOp++);
    for (const milestone of [25, 50, 75]) {
      const event = {
        v: 1,
        operation_id: op,
        milestone,
        organization_ids: ["101"],
        operation_type: "status_refresh",
        processed_devices: milestone,
        total_devices: 100,
      };
      await env.js.publish(env.names.subjects.operationMilestone, JSON.stringify(event), {
        msgID: `op-${op}-m${milestone}`,
      });
    }
    const got = await waitFor(() => receiver.on("/milestones")[0], { timeoutMs: 10_000 });
    expect(JSON.parse(got.body)).toMatchObject({
      type: "operation.progress_milestone",
      data: { milestone: 50 },
    });
    expect(got.headers["webhook-id"]).toBe(`msg_op-${op}-m50_w${res.json().id}`);
    await new Promise((r) => setTimeout(r, 300));
    expect(receiver.on("/milestones")).toHaveLength(1);

    // A sealed secret copied from another webhook is bound to that one: it does not open here.
    const a = await createHook("/unsignable");
    const b = await createHook("/donor");
    await env.db.pool.query(
      "UPDATE webhooks SET secret_sealed = (SELECT secret_sealed FROM webhooks WHERE id = $2) WHERE id = $1",
      [a.id, b.id],
    );
    await publishFinished();
    const [failed] = await waitFor(
      async () => {
        const list = await deliveriesOf(a.id);
        return list[0]?.status === "failed" ? list : undefined;
      },
      { timeoutMs: 10_000 },
    );
    expect(failed?.attempts).toEqual([
      expect.objectContaining({ status_code: null, error: expect.stringMatching(/^cannot sign: /) }),
    ]);
    expect(receiver.on("/unsignable")).toHaveLength(0);
  });

  it("stores the secret sealed, never in clear", async () => {
    const hook = await createHook("/sealed");
    const row = await env.db.pool.query<{ secret_sealed: Buffer }>(
      "SELECT secret_sealed FROM webhooks WHERE id = $1",
      [hook.id],
    );
    const stored = row.rows[0]?.secret_sealed as Buffer;
    expect(stored.includes(Buffer.from(hook.secret))).toBe(false);
    expect(stored.includes(Buffer.from(hook.secret.slice(6), "base64"))).toBe(false);
    const got = await api.inject({
      method: "GET",
      url: `/api/v1/webhooks/${hook.id}`,
      headers: { authorization: auth },
    });
    expect(got.body).not.toContain(hook.secret.slice(6));
  });
});
