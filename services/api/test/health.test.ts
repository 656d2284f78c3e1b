import { connectNats, type NatsConnection } from "@headless-ops/bus";
import { createLogger, startOpsServer } from "@headless-ops/runtime";
import type { FastifyInstance } from "fastify";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import { type ApiMetrics, createApiMetrics } from "../src/metrics.js";
import { readinessChecks } from "../src/routes/health.js";
import { type Harness, OPS, referenceBody, startHarness } from "./harness.js";

const log = createLogger("health-test", { LOG_LEVEL: "silent", LOG_PRETTY: false });
let h: Harness;
let nc: NatsConnection;
let withNats: FastifyInstance;
let metrics: ApiMetrics;

beforeAll(async () => {
  h = await startHarness();
  nc = await connectNats({ url: h.ctx.natsUrl, name: "health-test", log });
  metrics = createApiMetrics(h.db.pool);
  withNats = await buildApp({
    config: h.config,
    log,
    db: h.db,
    metrics,
    nats: { connection: () => nc, jetstream: () => undefined },
  });
});
afterAll(async () => {
  await withNats?.close();
  await nc?.close();
  await h?.close();
});

describe("health, metrics and docs", () => {
  it("/healthz answers without a token", async () => {
    const res = await h.app.inject({ method: "GET", url: "/healthz" });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: "ok" });
  });

  it("/readyz checks Postgres and NATS", async () => {
    const ready = await withNats.inject({ method: "GET", url: "/readyz" });
    expect(ready.statusCode).toBe(200);
    expect(ready.json()).toEqual({ ok: true, checks: { postgres: "ok", nats: "ok" } });
    const noNats = await h.app.inject({ method: "GET", url: "/readyz" });
    expect(noNats.statusCode).toBe(503);
    expect(noNats.json().checks).toEqual({ postgres: "ok", nats: "not connected" });
  });

  it("/metrics is not on the public port: it shows every tenant's operation counts", async () => {
    for (const app of [h.app, withNats]) {
      const res = await app.inject({ method: "GET", url: "/metrics" });
      expect(res.statusCode).toBe(404);
      expect(res.body).not.toContain("operations_by_status");
    }
  });

  it("/metrics on the METRICS_PORT ops server counts requests by route and operations by status", async () => {
    const { auth } = await h.token([101]);
    await withNats.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: auth },
      payload: referenceBody([101]),
    });
    await withNats.inject({ method: "GET", url: OPS, headers: { authorization: auth } });
    const ops = await startOpsServer({
      host: "127.0.0.1",
      port: 0,
      registry: metrics.registry,
      checks: readinessChecks(h.db.pool, () => nc),
    });
    const res = await fetch(`http://127.0.0.1:${ops.port}/metrics`);
    const body = await res.text();
    const ready = await fetch(`http://127.0.0.1:${ops.port}/readyz`);
    await ops.close();
    expect(res.status).toBe(200);
    expect(ready.status).toBe(200);
    expect(body).toMatch(
      /http_requests_total\{method="POST",route="\/api\/v1\/inventory_device_serial_headless_operation\/",status="201",service="api"\} 1/,
    );
    expect(body).toMatch(/operations_by_status\{status="scheduled",service="api"\} 1/);
    expect(body).toContain("http_request_duration_seconds_bucket");
  });

  it("serves an OpenAPI 3 document and a UI at /docs", async () => {
    const doc = await h.app.inject({ method: "GET", url: "/docs/json" });
    expect(doc.statusCode).toBe(200);
    const spec = doc.json();
    expect(spec.openapi).toMatch(/^3\./);
    const path = spec.paths["/api/v1/inventory_device_serial_headless_operation/"];
    expect(Object.keys(path)).toEqual(expect.arrayContaining(["get", "post"]));
    expect(JSON.stringify(path.post.requestBody)).toContain("#/components/schemas/CreateOperation");
    const body = JSON.stringify(spec.components.schemas);
    for (const field of ["operation_type", "target_organizations", "execute_at", "timeout_minutes"]) {
      expect(body).toContain(field);
    }
    expect(spec.paths["/api/v1/devices/import"]).toBeDefined();
    const ui = await h.app.inject({ method: "GET", url: "/docs/" });
    expect(ui.statusCode).toBe(200);
    expect(ui.headers["content-type"]).toMatch(/text\/html/);
  });
});
