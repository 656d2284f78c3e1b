import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { exportedMetrics, isKnownMetric, metricsInQuery } from "./support/metrics.js";
import { repoRoot } from "./support/render.js";

type Target = { refId: string; expr: string };
type Panel = {
  id: number;
  type: string;
  title: string;
  targets?: Target[];
  gridPos?: { w: number; h: number };
};
type Dashboard = {
  uid: string;
  title: string;
  panels: Panel[];
  templating: { list: { name: string; query?: string | { query: string } }[] };
};

const path = join(repoRoot, "deploy", "monitoring", "grafana-dashboard.json");
const dashboard = JSON.parse(readFileSync(path, "utf8")) as Dashboard;
const graphs = dashboard.panels.filter((p) => p.type !== "row");
const exported = exportedMetrics();

describe("deploy/monitoring/grafana-dashboard.json", () => {
  it("parses as a dashboard with unique panel ids, each panel placed and queried", () => {
    expect(dashboard.uid).toBe("headless-ops");
    const ids = dashboard.panels.map((p) => p.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const p of graphs) {
      expect(p.gridPos?.w, p.title).toBeGreaterThan(0);
      expect(p.targets?.length, p.title).toBeGreaterThan(0);
    }
  });

  it("queries only metrics the services or the cluster's exporters export", () => {
    const queries = [
      ...graphs.flatMap((p) =>
        (p.targets ?? []).map((t) => ({ where: `${p.title}/${t.refId}`, expr: t.expr })),
      ),
      ...dashboard.templating.list
        .filter((v) => typeof v.query === "object")
        .map((v) => ({
          where: `$${v.name}`,
          expr: (v.query as { query: string }).query.replace(/^label_values\(([^,]+),.*$/, "$1"),
        })),
    ];
    const problems: string[] = [];
    for (const q of queries) {
      const metrics = metricsInQuery(q.expr);
      if (metrics.length === 0) problems.push(`${q.where}: reads no metric`);
      for (const m of metrics) if (!isKnownMetric(m, exported, new Set())) problems.push(`${q.where}: ${m}`);
    }
    expect(problems).toEqual([]);
  });

  it("shows what an SRE reads first", () => {
    const titles = graphs.map((p) => p.title);
    for (const expected of [
      "Operations by status",
      "Devices/s per stage",
      "Lag per consumer",
      "Prober replicas vs lag",
      "Probe latency",
      "Failed probe attempts by error code",
      "Fold duration",
      "Postgres",
      "NATS",
    ]) {
      expect(titles).toContain(expected);
    }
    const all = graphs.flatMap((p) => (p.targets ?? []).flatMap((t) => metricsInQuery(t.expr)));
    for (const m of [
      "operations_by_status",
      "scheduler_devices_published_total",
      "prober_devices_total",
      "aggregator_results_folded_total",
      "consumer_lag_messages",
      "prober_probe_duration_seconds_bucket",
      "prober_probe_attempts_total",
      "aggregator_fold_duration_seconds_bucket",
    ]) {
      expect(all, m).toContain(m);
    }
  });
});
