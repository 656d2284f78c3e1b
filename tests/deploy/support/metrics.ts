import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./render.js";

/** Files that register the services' Prometheus metrics (prom-client `name: "..."`). */
function metricSources(): string[] {
  const services = readdirSync(join(repoRoot, "services")).map((s) =>
    join(repoRoot, "services", s, "src", "metrics.ts"),
  );
  const shared = [
    join(repoRoot, "libs", "bus", "src", "consumer-lag.ts"),
    join(repoRoot, "libs", "db", "src", "status", "operations-gauge.ts"),
  ];
  return [...services, ...shared].filter((f) => {
    try {
      readFileSync(f);
      return true;
    } catch {
      return false;
    }
  });
}

/** Every series name the services export: prom-client names, histogram suffixes, Node defaults. */
export function exportedMetrics(): Set<string> {
  const names = new Set<string>();
  for (const file of metricSources()) {
    const text = readFileSync(file, "utf8");
    for (const m of text.matchAll(/name: "([a-z_:][a-z0-9_:]*)"/g)) {
      const name = m[1] ?? "";
      names.add(name);
      for (const suffix of ["_bucket", "_count", "_sum"]) names.add(name + suffix);
    }
  }
  return names;
}

/**
 * Metrics of the exporters a cluster runs beside the services, by prefix: prom-client's Node
 * defaults, kube-state-metrics, KEDA's operator, the NATS chart's exporter (-prefix=nats),
 * CloudNativePG's instance and PgBouncer exporters, and Prometheus's own `up`.
 */
export const exporterPrefixes = ["process_", "nodejs_", "kube_", "keda_", "nats_", "cnpg_"];

export function isKnownMetric(name: string, exported: Set<string>, recorded: Set<string>): boolean {
  return (
    exported.has(name) ||
    recorded.has(name) ||
    name === "up" ||
    exporterPrefixes.some((p) => name.startsWith(p))
  );
}

const KEYWORDS = new Set([
  "by",
  "without",
  "on",
  "ignoring",
  "group_left",
  "group_right",
  "and",
  "or",
  "unless",
  "bool",
  "offset",
  "inf",
  "nan",
]);

/** The metric names a PromQL expression reads (label matchers, grouping labels and functions dropped). */
export function metricsInQuery(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"/g, '""')
    .replace(/\{[^}]*\}/g, " ")
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, " ")
    .replace(/\[[^\]]*\]/g, " ")
    .replace(/\$\w+/g, " ");
  const names: string[] = [];
  for (const m of stripped.matchAll(/(?<![\w.:])([A-Za-z_:][A-Za-z0-9_:]*)(?![\w:])(?!\s*\()/g)) {
    const name = m[1] ?? "";
    if (!KEYWORDS.has(name.toLowerCase())) names.push(name);
  }
  return [...new Set(names)];
}
