import { contextFromTraceparent, tracer } from "@headless-ops/runtime";
import { type Context, context, type Span, SpanKind, SpanStatusCode, trace } from "@opentelemetry/api";
import type { FastifyInstance, FastifyRequest } from "fastify";

const spans = new WeakMap<FastifyRequest, { span: Span; ctx: Context }>();

/**
 * One server span per HTTP request, continuing the caller's `traceparent` header when it sends one.
 * The handler runs with that span active, so the outbox row an operation writes stores its trace
 * context (libs/db insertOperation) and log lines carry `trace_id`. The span is opened in onRequest
 * (its timing covers auth and body parsing) and made active from preHandler on: the body is parsed
 * in stream callbacks that would lose an async context entered earlier. With tracing off the tracer
 * is OpenTelemetry's no-op and these hooks cost a WeakMap entry.
 */
export function installRequestTracing(app: FastifyInstance): void {
  app.addHook("onRequest", (req, _reply, done) => {
    const incoming = req.headers.traceparent;
    const parent = contextFromTraceparent(typeof incoming === "string" ? incoming : undefined);
    const route = req.routeOptions.url ?? "unmatched";
    const span = tracer().startSpan(
      `${req.method} ${route}`,
      { kind: SpanKind.SERVER, attributes: { "http.request.method": req.method, "http.route": route } },
      parent,
    );
    spans.set(req, { span, ctx: trace.setSpan(parent, span) });
    done();
  });
  app.addHook("preHandler", (req, _reply, done) => {
    const entry = spans.get(req);
    if (entry) context.with(entry.ctx, done);
    else done();
  });
  app.addHook("onResponse", (req, reply, done) => {
    const entry = spans.get(req);
    if (entry) {
      entry.span.setAttribute("http.response.status_code", reply.statusCode);
      if (reply.statusCode >= 500) entry.span.setStatus({ code: SpanStatusCode.ERROR });
      entry.span.end();
      spans.delete(req);
    }
    done();
  });
}
