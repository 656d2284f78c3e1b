import { connectNats, jetstream } from "@headless-ops/bus";
import { contracts, natsNames } from "@headless-ops/contracts";
import { createLogger } from "@headless-ops/runtime";
import { waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, isFinished } from "./support/api-client.js";
import { seedDevices, seedOrganizations } from "./support/fleet.js";
import { OtlpReceiver, type ReceivedSpan } from "./support/otlp-receiver.js";
import { type Stack, startStack } from "./support/stack.js";

/*
 * Tracing across the real processes: the four services export OTLP/HTTP JSON to a receiver started
 * here; one operation (30 simulated devices, jobs of 10) must read as one trace, from the API
 * request through the outbox, the fan-out, every probe job and the folds of their results; also
 * when the scheduler that fans it out is not the one that heard its `operation.created`.
 */

const SERVICES = ["api", "scheduler", "prober", "aggregator"];
const ENV = {
  FANOUT_BATCH_SIZE: "10",
  LOG_LEVEL: "info",
};

/** The spans of one trace once the fan-out, the three probe jobs and a fold have arrived. */
function completeTrace(receiver: OtlpReceiver, traceId: string): ReceivedSpan[] | undefined {
  const spans = receiver.inTrace(traceId);
  const folds = spans.filter((s) => s.name === "fold result");
  const jobs = spans.filter((s) => s.name === "probe job");
  const fanouts = spans.filter((s) => s.name === "fan-out");
  return fanouts.length === 1 && jobs.length === 3 && folds.length >= 1 ? spans : undefined;
}

/** One tree: every span but the root has its parent in the trace; returns the parent's name of a span. */
function treeOf(trace: ReceivedSpan[]): (s: ReceivedSpan) => string | undefined {
  const ids = new Set(trace.map((s) => s.spanId));
  for (const s of trace) if (s.parentSpanId) expect(ids.has(s.parentSpanId), s.name).toBe(true);
  return (s) => trace.find((p) => p.spanId === s.parentSpanId)?.name;
}

describe.sequential("tracing end to end", () => {
  const receiver = new OtlpReceiver();
  let stack: Stack;
  let api: ApiClient;

  beforeAll(async () => {
    const endpoint = await receiver.start();
    Object.assign(ENV, { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" });
    stack = await startStack({ env: ENV });
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
    const trace = await waitFor(() => completeTrace(receiver, post.traceId), {
      timeoutMs: 15_000,
      what: "spans of all four services in the POST's trace",
    });
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(SERVICES));
    const byName = (name: string) => trace.filter((s) => s.name === name);
    expect(byName("outbox publish")).toHaveLength(1);
    expect(byName("fan-out")).toHaveLength(1);
    expect(byName("probe job")).toHaveLength(3);
    // Each hop continues the previous one; the fan-out continues the request stored with the operation.
    const parentOf = treeOf(trace);
    expect(parentOf(byName("outbox publish")[0] as ReceivedSpan)).toBe(post.name);
    expect(parentOf(byName("fan-out")[0] as ReceivedSpan)).toBe(post.name);
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

  it("a scheduler that never saw the operation.created event fans out in the request's trace", async () => {
    // The replica that would have heard the event is gone; the one that claims the operation is a
    // fresh process, with nothing in memory about it.
    await stack.group.get("scheduler-1").stop();
    const roots = new Set(receiver.spans.filter((s) => !s.parentSpanId).map((s) => s.traceId));
    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [301],
      schedule: { execute_at: new Date().toISOString(), priority: "normal" },
    });
    // The event reached NATS and was taken by a scheduler replica that went away before claiming
    // (here: this test, which acknowledges it), so no scheduler ever reads its trace header.
    const names = natsNames(stack.ctx.natsPrefix);
    const nc = await connectNats({
      url: stack.ctx.natsUrl,
      name: "e2e-tracing",
      log: createLogger("e2e", { LOG_LEVEL: "warn", LOG_PRETTY: false }),
    });
    try {
      const consumer = await jetstream(nc).consumers.get(names.streams.operations, names.consumers.scheduler);
      await waitFor(
        async () => {
          const msg = await consumer.next({ expires: 2_000 });
          if (!msg) return undefined;
          await msg.ackAck();
          return contracts.operationCreated.schema.parse(msg.json()).operation_id === created.id || undefined;
        },
        { timeoutMs: 30_000, what: "the operation.created event, published by the relay" },
      );
    } finally {
      await nc.close();
    }
    expect((await api.operation(created.id)).status).toBe("scheduled");

    await stack.group.start("scheduler", { env: { ...stack.ctx.env, ...ENV }, name: "scheduler-2" });
    const done = await api.pollOperation(created.id, isFinished, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: "completed", processed_devices: 30 });

    const post = await waitFor(
      () =>
        receiver.spans.find(
          (s) =>
            s.service === "api" && s.name.startsWith("POST ") && !s.parentSpanId && !roots.has(s.traceId),
        ),
      { timeoutMs: 10_000, what: "the second POST's span" },
    );
    const trace = await waitFor(() => completeTrace(receiver, post.traceId), {
      timeoutMs: 15_000,
      what: "the late scheduler's fan-out in the POST's trace",
    });
    expect(new Set(trace.map((s) => s.service))).toEqual(new Set(SERVICES));
    const parentOf = treeOf(trace);
    const fanout = trace.find((s) => s.name === "fan-out") as ReceivedSpan;
    expect(parentOf(fanout)).toBe(post.name);
    for (const job of trace.filter((s) => s.name === "probe job")) expect(parentOf(job)).toBe("fan-out");
    // No fan-out started a trace of its own.
    expect(receiver.spans.filter((s) => s.name === "fan-out" && !s.parentSpanId)).toEqual([]);
    const fanoutLog = stack.group
      .get("scheduler-2")
      .logs()
      .find((l) => l.msg === "fan-out done");
    expect(fanoutLog?.trace_id).toBe(post.traceId);
  });
});
