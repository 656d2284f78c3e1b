import { messageTraceContext } from "@headless-ops/bus";
import { tracer } from "@headless-ops/runtime";
import { context, type Link, type Span, SpanStatusCode, trace } from "@opentelemetry/api";
import type { Received } from "./batch-folder.js";

/**
 * Runs one fold (one transaction over many result messages) in a `fold` span linked to every traced
 * message it contains, and gives each traced message's trace its own `fold result` span, so each
 * operation's trace shows when its results were folded. Messages without trace context (tracing off
 * upstream, or a previous release) add nothing; with none at all this is just `fold()`.
 */
export async function foldTraced<T>(received: readonly Received[], fold: () => Promise<T>): Promise<T> {
  const parents = new Map<string, ReturnType<typeof messageTraceContext>>();
  for (const { msg } of received) {
    const ctx = messageTraceContext(msg);
    const sc = trace.getSpanContext(ctx);
    if (sc && trace.isSpanContextValid(sc)) parents.set(`${sc.traceId}-${sc.spanId}`, ctx);
  }
  if (parents.size === 0) return fold();
  const links: Link[] = [...parents.values()].flatMap((ctx) => {
    const sc = trace.getSpanContext(ctx);
    return sc ? [{ context: sc }] : [];
  });
  const results = received.reduce((n, r) => n + r.batch.results.length, 0);
  const attributes = { "fold.messages": received.length, "fold.results": results };
  const batchSpan = tracer().startSpan("fold", { links, attributes }, context.active());
  const perTrace: Span[] = [...parents.values()].map((ctx) =>
    tracer().startSpan("fold result", { links: [{ context: batchSpan.spanContext() }], attributes }, ctx),
  );
  const spans = [batchSpan, ...perTrace];
  try {
    return await context.with(trace.setSpan(context.active(), batchSpan), fold);
  } catch (err) {
    for (const s of spans) s.setStatus({ code: SpanStatusCode.ERROR, message: (err as Error).message });
    throw err;
  } finally {
    for (const s of spans) s.end();
  }
}
