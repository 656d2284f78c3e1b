import { describe, expect, it } from "vitest";
import { loadConfig } from "./config.js";
import { parseKeyValues, tracesUrl } from "./tracing.js";

describe("tracing configuration (OTEL_*)", () => {
  it("is off when no exporter is configured", () => {
    expect(tracesUrl(loadConfig({}))).toBeUndefined();
  });

  it("sends to <endpoint>/v1/traces, or the traces endpoint as given", () => {
    expect(tracesUrl(loadConfig({ OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318/" }))).toBe(
      "http://otel:4318/v1/traces",
    );
    const both = loadConfig({
      OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318",
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://traces:4318/custom",
    });
    expect(tracesUrl(both)).toBe("http://traces:4318/custom");
    expect(tracesUrl(loadConfig({ OTEL_TRACES_EXPORTER: "otlp" }))).toBe("http://localhost:4318/v1/traces");
  });

  it("OTEL_TRACES_EXPORTER=none and OTEL_SDK_DISABLED win over an endpoint", () => {
    const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://otel:4318" };
    expect(tracesUrl(loadConfig({ ...endpoint, OTEL_TRACES_EXPORTER: "none" }))).toBeUndefined();
    expect(tracesUrl(loadConfig({ ...endpoint, OTEL_SDK_DISABLED: "true" }))).toBeUndefined();
  });

  it("rejects a gRPC protocol and malformed header lists at start, not at the first export", () => {
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" })).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL/);
    expect(() => loadConfig({ OTEL_EXPORTER_OTLP_HEADERS: "no-equals-sign" })).toThrow(
      /OTEL_EXPORTER_OTLP_HEADERS/,
    );
  });

  it("parses the key=value lists of headers and resource attributes", () => {
    expect(parseKeyValues("authorization=Bearer%20x,team=ops")).toEqual({
      authorization: "Bearer x",
      team: "ops",
    });
  });
});
