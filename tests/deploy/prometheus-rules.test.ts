import { execFileSync, spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { exportedMetrics, isKnownMetric, metricsInQuery } from "./support/metrics.js";
import { find, ofKind, parseYamlDocuments, render, repoRoot } from "./support/render.js";
import { ourPods, selects } from "./support/workloads.js";

type Rule = { alert?: string; record?: string; expr: string; annotations?: Record<string, string> };
type Group = { name: string; rules: Rule[] };

const prod = render("overlays/prod");
const rule = find(prod, "PrometheusRule", "headless-ops");
const groups = (rule?.spec?.groups ?? []) as Group[];
const rules = groups.flatMap((g) => g.rules);
const alerts = rules.filter((r) => r.alert);
const promtoolTests = join(repoRoot, "deploy", "monitoring", "alerts.promtool.yaml");

const dir = mkdtempSync(join(tmpdir(), "ho-promtool-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs promtool; fails loudly (never skips) when it is missing: .ci/run installs Debian's prometheus. */
function promtool(args: string[]): { status: number; output: string } {
  try {
    execFileSync("promtool", ["--version"], { stdio: "ignore" });
  } catch {
    throw new Error("promtool is not installed (Debian: apt-get install prometheus); .ci/run installs it");
  }
  const res = spawnSync("promtool", args, { cwd: dir, encoding: "utf8" });
  return { status: res.status ?? -1, output: `${res.stdout}${res.stderr}` };
}

describe("PrometheusRule headless-ops (rendered in overlays/prod)", () => {
  writeFileSync(join(dir, "rules.yaml"), stringify({ groups }));
  copyFileSync(promtoolTests, join(dir, "alerts.promtool.yaml"));

  it("passes promtool check rules", () => {
    const res = promtool(["check", "rules", "rules.yaml"]);
    expect(res.output).toContain("SUCCESS");
    expect(res.status, res.output).toBe(0);
  });

  it("passes promtool test rules: every alert fires on its synthetic series, not before", () => {
    const res = promtool(["test", "rules", "alerts.promtool.yaml"]);
    expect(res.status, res.output).toBe(0);
    expect(res.output).toContain("SUCCESS");
  });

  it("has one promtool test group per alert, and each one expects it both silent and firing", () => {
    const [doc] = parseYamlDocuments(readFileSync(promtoolTests, "utf8")) as {
      tests: { name: string; alert_rule_test: { alertname: string; exp_alerts: unknown[] }[] }[];
    }[];
    const names = alerts.map((a) => a.alert as string).sort();
    expect((doc?.tests ?? []).map((t) => t.name).sort()).toEqual(names);
    for (const t of doc?.tests ?? []) {
      const cases = t.alert_rule_test.filter((c) => c.alertname === t.name);
      expect(
        cases.some((c) => c.exp_alerts.length === 0),
        `${t.name}: silent case`,
      ).toBe(true);
      expect(
        cases.some((c) => c.exp_alerts.length > 0),
        `${t.name}: firing case`,
      ).toBe(true);
    }
  });

  it("covers what the SRE pages on", () => {
    expect(alerts.map((a) => a.alert)).toEqual(
      expect.arrayContaining([
        "HeadlessOpsOperationStuck",
        "HeadlessOpsConsumerLagGrowing",
        "HeadlessOpsOutboxBacklog",
        "HeadlessOpsAggregatorFoldErrors",
        "HeadlessOpsPoisonMessages",
        "HeadlessOpsProbeErrorRate",
        "HeadlessOpsProbersAtMaxReplicas",
        "HeadlessOpsKedaScalerErrors",
        "HeadlessOpsApi5xx",
        "HeadlessOpsApiLatencySLOBurn",
      ]),
    );
  });

  it("links every alert to its runbook section in deploy/README.md", () => {
    const readme = readFileSync(join(repoRoot, "deploy", "README.md"), "utf8");
    const anchors = new Set(
      [...readme.matchAll(/^#+\s+(.+)$/gm)].map((m) =>
        (m[1] ?? "")
          .toLowerCase()
          .replace(/[^\w\s-]/g, "")
          .trim()
          .replace(/\s+/g, "-"),
      ),
    );
    for (const a of alerts) {
      const url = a.annotations?.runbook_url ?? "";
      expect(url, a.alert).toMatch(/deploy\/README\.md#/);
      expect(anchors.has(url.split("#")[1] ?? ""), `${a.alert}: ${url}`).toBe(true);
    }
  });

  it("reads only metrics the services or the cluster's exporters export", () => {
    const exported = exportedMetrics();
    const recorded = new Set(rules.flatMap((r) => (r.record ? [r.record] : [])));
    const unknown = rules.flatMap((r) =>
      metricsInQuery(r.expr).filter((m) => !isKnownMetric(m, exported, recorded)),
    );
    expect(unknown).toEqual([]);
    // The services' own metrics carry the alerts, not only exporters.
    expect(
      rules.flatMap((r) => metricsInQuery(r.expr)).filter((m) => exported.has(m)).length,
    ).toBeGreaterThan(8);
  });

  it("scrapes every service with a PodMonitor on its metrics port", () => {
    const monitors = ofKind(prod, "PodMonitor");
    for (const pod of ourPods(prod).filter((p) => p.owner.kind === "Deployment")) {
      const monitor = monitors.find((m) => selects(m.spec.selector, pod.labels));
      expect(monitor, pod.owner.metadata.name).toBeDefined();
      const ports = pod.spec.containers[0].ports.map((p: { name: string }) => p.name);
      for (const e of monitor?.spec.podMetricsEndpoints ?? []) expect(ports).toContain(e.port);
    }
    const database = render("database/prod");
    expect(
      ofKind(database, "PodMonitor")
        .map((m) => m.metadata.name)
        .sort(),
    ).toEqual(["headless-ops-db", "headless-ops-db-pooler-rw"]);
  });
});
