import { type Context, context, propagation, ROOT_CONTEXT, type Span, trace } from "@opentelemetry/api";

/** The tracer every headless-ops span comes from (a no-op until `startTracing` registers the SDK). */
export function tracer() {
  return trace.getTracer("headless-ops");
}

/** The W3C `traceparent` of a context (the active one by default), or undefined when it has no span. */
export function traceparentOf(ctx: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent;
}

/** The context a stored or received `traceparent` continues (the root context when there is none). */
export function contextFromTraceparent(traceparent: string | null | undefined): Context {
  if (!traceparent) return ROOT_CONTEXT;
  return propagation.extract(ROOT_CONTEXT, { traceparent });
}

/** Runs `fn` inside a new span (child of `parent`), ending it when `fn` settles and recording a throw. */
export async function inSpan<T>(
  name: string,
  parent: Context,
  attributes: Record<string, string | number | boolean>,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const span = tracer().startSpan(name, { attributes }, parent);
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (err) {
    span.recordException(err as Error);
    span.setStatus({ code: 2 });
    throw err;
  } finally {
    span.end();
  }
}

/** pino mixin: every log line written inside a sampled span carries its `trace_id` and `span_id`. */
export function traceLogMixin(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const { traceId, spanId, traceFlags } = span.spanContext();
  if (!(traceFlags & 1)) return {};
  return { trace_id: traceId, span_id: spanId };
}
