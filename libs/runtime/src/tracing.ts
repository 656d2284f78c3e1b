import { context, propagation, trace } from "@opentelemetry/api";
import { AsyncLocalStorageContextManager } from "@opentelemetry/context-async-hooks";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { OTLPTraceExporter as OtlpJsonExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as OtlpProtoExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  type Sampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { Config } from "./config.js";

export type TracingConfig = Pick<
  Config,
  | "OTEL_SDK_DISABLED"
  | "OTEL_TRACES_EXPORTER"
  | "OTEL_EXPORTER_OTLP_ENDPOINT"
  | "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT"
  | "OTEL_EXPORTER_OTLP_PROTOCOL"
  | "OTEL_EXPORTER_OTLP_HEADERS"
  | "OTEL_SERVICE_NAME"
  | "OTEL_RESOURCE_ATTRIBUTES"
  | "OTEL_TRACES_SAMPLER"
  | "OTEL_TRACES_SAMPLER_ARG"
>;

export type Tracing = {
  enabled: boolean;
  /** Exports the spans still buffered, then stops the provider. Idempotent. */
  shutdown: () => Promise<void>;
};

/** Where spans go, or undefined when tracing is off (no exporter configured, or disabled). */
export function tracesUrl(config: TracingConfig): string | undefined {
  if (config.OTEL_SDK_DISABLED || config.OTEL_TRACES_EXPORTER === "none") return undefined;
  if (config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT) return config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT;
  if (config.OTEL_EXPORTER_OTLP_ENDPOINT)
    return `${config.OTEL_EXPORTER_OTLP_ENDPOINT.replace(/\/+$/, "")}/v1/traces`;
  // OTEL_TRACES_EXPORTER=otlp without an endpoint: the OTLP/HTTP default, a collector on localhost.
  return config.OTEL_TRACES_EXPORTER === "otlp" ? "http://localhost:4318/v1/traces" : undefined;
}

/** `a=1,b=2` → { a: "1", b: "2" } (the OTEL_*_HEADERS / OTEL_RESOURCE_ATTRIBUTES list format). */
export function parseKeyValues(list: string | undefined): Record<string, string> {
  if (!list) return {};
  return Object.fromEntries(
    list.split(",").map((pair) => {
      const at = pair.indexOf("=");
      return [decodeURIComponent(pair.slice(0, at).trim()), decodeURIComponent(pair.slice(at + 1).trim())];
    }),
  );
}

function samplerOf(config: TracingConfig): Sampler {
  const ratio = new TraceIdRatioBasedSampler(config.OTEL_TRACES_SAMPLER_ARG);
  switch (config.OTEL_TRACES_SAMPLER) {
    case "always_on":
      return new AlwaysOnSampler();
    case "always_off":
      return new AlwaysOffSampler();
    case "traceidratio":
      return ratio;
    case "parentbased_traceidratio":
      return new ParentBasedSampler({ root: ratio });
    default:
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
  }
}

let active: Tracing | undefined;

/**
 * Starts the OpenTelemetry SDK for this process, once, before it connects to anything: the global
 * tracer provider, W3C trace-context propagation and the async-context manager that makes a span
 * active across awaits. No auto-instrumentation is loaded (spans are made where the pipeline hands
 * work on: HTTP request, outbox relay, fan-out, probe job, fold), so no `--import` preload is needed.
 * When tracing is off nothing is registered: the API's no-op tracer costs nothing and NATS
 * messages get no trace headers.
 */
export function startTracing(service: string, config: TracingConfig): Tracing {
  if (active) return active;
  const url = tracesUrl(config);
  if (!url) {
    active = { enabled: false, shutdown: async () => undefined };
    return active;
  }
  const headers = parseKeyValues(config.OTEL_EXPORTER_OTLP_HEADERS);
  const exporter =
    config.OTEL_EXPORTER_OTLP_PROTOCOL === "http/json"
      ? new OtlpJsonExporter({ url, headers })
      : new OtlpProtoExporter({ url, headers });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({
      ...parseKeyValues(config.OTEL_RESOURCE_ATTRIBUTES),
      "service.name": config.OTEL_SERVICE_NAME ?? service,
    }),
    sampler: samplerOf(config),
    spanProcessors: [new BatchSpanProcessor({ exporter, scheduledDelayMillis: 1_000 })],
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
  let closing: Promise<void> | undefined;
  active = {
    enabled: true,
    shutdown: () => {
      closing ??= provider.shutdown().catch(() => undefined);
      return closing;
    },
  };
  return active;
}
