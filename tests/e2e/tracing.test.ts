import { waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, isFinished } from "./support/api-client.js";
import { seedDevices, seedOrganizations } from "./support/fleet.js";
import { OtlpReceiver } from "./support/otlp-receiver.js";
import { type Stack, startStack } from "./support/stack.js";

/*
 * Tracing across the real processes: the four services export OTLP/HTTP JSON to a receiver started
 * here; one operation (30 simulated devices, jobs of 10) must read as one trace, from the API
 * request through the outbox, the fan-out, every probe job and the folds of their results.
 */

const SERVICES = ["api", "scheduler", "prober", "aggregator"];

describe.sequential("tracing end to end", () => {
  const receiver = new OtlpReceiver();
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    const endpoint = await receiver.start();
    stack = await startStack({
      env: {
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
        FANOUT_BATCH_SIZE: "10",
        LOG_LEVEL: "info",
      },
    });
    await seedOrganizations(stack.db.pool, [301]);
    await seedDevices(stack.db.pool, { organization: 301, label: "tr", count: 30 });
    api = await stack.client([301]);
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver.stop();
  });

  it("one operation yields spans from api, scheduler, prober and aggregator under one trace id", async () => {
    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [301],
      schedule: { execute_at: new Date().toISOString(), priority: "normal" },
    });
    const done = await api.pollOperation(created.id, isFinished, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: "completed", processed_devices: 30 });

    // The trace of the POST: its server span is the root (no traceparent sent by this client).
    const post = await waitFor(
      () => receiver.spans.find((s) => s.service === "api" && s.name.startsWith("POST ") && !s.parentSpanId),
      { timeoutMs: 10_000, what: "the API's POST span" },
    );
    const trace = await waitFor(
      () => {
        const spans = receiver.inTrace(post.traceId);
        const folds = spans.filter((s) => s.name === "fold result");
        const jobs = spans.filter((s) => s.name === "probe job");
        return jobs.length === 3 && folds.length >= 1 ? spans : undefined;
      },
      { timeoutMs: 15_000, what: "spans of all four services in the POST's trace" },
    );
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(SERVICES));
    const byName = (name: string) => trace.filter((s) => s.name === name);
    expect(byName("outbox publish")).toHaveLength(1);
    expect(byName("fan-out")).toHaveLength(1);
    expect(byName("probe job")).toHaveLength(3);
    // Every span but the root has its parent in the same trace: one tree, no orphans.
    const ids = new Set(trace.map((s) => s.spanId));
    for (const s of trace) if (s.parentSpanId) expect(ids.has(s.parentSpanId), s.name).toBe(true);
    // Each hop continues the previous one.
    const parentOf = (s: { parentSpanId: string }) => trace.find((p) => p.spanId === s.parentSpanId)?.name;
    expect(parentOf(byName("outbox publish")[0] as (typeof trace)[0])).toBe(post.name);
    expect(parentOf(byName("fan-out")[0] as (typeof trace)[0])).toBe("outbox publish");
    for (const job of byName("probe job")) expect(parentOf(job)).toBe("fan-out");
    for (const fold of byName("fold result")) expect(parentOf(fold)).toBe("probe job");
    // The batch span of a fold links to the traces it folded.
    const batchFolds = receiver.spans.filter((s) => s.service === "aggregator" && s.name === "fold");
    expect(batchFolds.some((s) => s.links.includes(post.traceId))).toBe(true);

    // Log lines written inside the spans carry the trace id.
    const fanoutLog = stack.group
      .get("scheduler-1")
      .logs()
      .find((l) => l.msg === "fan-out done");
    expect(fanoutLog?.trace_id).toBe(post.traceId);
  });
});
