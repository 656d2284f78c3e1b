import { existsSync } from "node:fs";
import { join } from "node:path";
import { type Config, loadConfig } from "@headless-ops/runtime";
import { describe, expect, it } from "vitest";
import {
  configKeys,
  credentialKeyHolders,
  credentialKeyVariables,
  deploymentRequired,
  migrateCommand,
  requiredConfigKeys,
  serviceCommand,
  serviceNames,
} from "./support/packages.js";
import { type K8sObject, render, repoRoot, targets } from "./support/render.js";
import { type Container, containerEnv, containersOf, ourPods, withProvided } from "./support/workloads.js";

/** Our containers in a rendered target, with the environment each one gets. */
function ourContainers(objects: K8sObject[]) {
  return ourPods(objects).flatMap((pod) =>
    containersOf(pod).map((container: Container) => ({
      pod,
      container,
      id: `${pod.owner.kind}/${pod.owner.metadata.name}/${container.name}`,
      ...containerEnv(container, objects),
    })),
  );
}

/** Longest preStop `sleep N`, in ms. */
function preStopMs(container: Container): number {
  const command: string[] = container.lifecycle?.preStop?.exec?.command ?? [];
  return command[0] === "sleep" ? Number(command[1]) * 1000 : 0;
}

/** The longest time the prober may need after SIGTERM: shutdown grace + every attempt of one probe. */
function proberBudgetMs(config: Config): number {
  const backoff = config.PROBE_RETRY_BACKOFF_MS * (2 ** (config.PROBE_MAX_ATTEMPTS - 1) - 1);
  return config.SHUTDOWN_GRACE_MS + config.PROBE_TIMEOUT_MS * config.PROBE_MAX_ATTEMPTS + backoff;
}

describe.each(targets)("deploy/k8s/%s against the config schema and package scripts", (target) => {
  const objects = withProvided(target, render(target));
  const containers = ourContainers(objects);

  it("runs the five services and the migrate Job from one image", () => {
    const names = containers.map((c) => c.pod.owner.metadata.name).sort();
    expect(names).toEqual(["aggregator", "api", "headless-ops-migrate", "notifier", "prober", "scheduler"]);
    expect(new Set(containers.map((c) => c.container.image)).size).toBe(1);
    expect(containers[0]?.container.image).toMatch(/(^|\/)headless-ops(:[\w.-]+|@sha256:[0-9a-f]{64})?$/);
    // Production pins the image by digest (a placeholder until release, deploy/README.md).
    if (target.startsWith("overlays/prod")) {
      expect(containers[0]?.container.image).toMatch(/@sha256:[0-9a-f]{64}$/);
    }
  });

  it("sets only variables the config schema knows, and every required one", () => {
    const known = new Set(configKeys());
    for (const c of containers) {
      expect(c.problems, c.id).toEqual([]);
      const unknown = Object.keys(c.env).filter((k) => !known.has(k));
      expect(unknown, `${c.id} sets variables missing from libs/runtime/src/config.ts`).toEqual([]);
      const role = c.pod.owner.kind === "Job" ? "migrate" : "service";
      const missing = [...requiredConfigKeys(), ...deploymentRequired[role]].filter((k) => !(k in c.env));
      expect(missing, `${c.id} leaves required variables unset`).toEqual([]);
      expect(() => loadConfig(c.env), c.id).not.toThrow();
    }
  });

  it("gives a credential key to the api, the prober and the notifier only", () => {
    for (const c of containers) {
      const holds = credentialKeyVariables.filter((k) => k in c.env);
      const holder = credentialKeyHolders.includes(c.pod.owner.metadata.name);
      expect(holds.length > 0, `${c.id} ${holder ? "needs" : "must not get"} a credential key`).toBe(holder);
    }
  });

  it("runs the commands of the package scripts", () => {
    for (const c of containers) {
      const name = c.pod.owner.metadata.name;
      const expected = name === "headless-ops-migrate" ? migrateCommand() : serviceCommand(name as "api");
      expect([...(c.container.command ?? []), ...(c.container.args ?? [])], c.id).toEqual(expected);
    }
  });

  it("exposes the configured ports and probes /readyz and /healthz on them", () => {
    for (const c of containers.filter((x) => x.pod.owner.kind === "Deployment")) {
      const config = loadConfig(c.env);
      const api = c.pod.owner.metadata.name === "api";
      const portName = api ? "http" : "metrics";
      const ports = c.container.ports as { name: string; containerPort: number }[];
      const metricsPort = expect.objectContaining({ name: "metrics", containerPort: config.METRICS_PORT });
      const expected = api
        ? [expect.objectContaining({ name: "http", containerPort: config.PORT }), metricsPort]
        : [metricsPort];
      expect(ports, c.id).toEqual(expected);
      expect(c.container.readinessProbe?.httpGet, c.id).toMatchObject({ path: "/readyz", port: portName });
      expect(c.container.livenessProbe?.httpGet, c.id).toMatchObject({ path: "/healthz", port: portName });
      // Every service, the API included, is scraped on METRICS_PORT (never the public port).
      const scrape = c.pod.owner.spec.template.metadata.annotations ?? {};
      expect(scrape["prometheus.io/port"], `${c.id}: scrape port`).toBe(String(config.METRICS_PORT));
      if (!api) continue;
      // Links come from PUBLIC_URL, not from a Host the client picks.
      expect(config.PUBLIC_URL, `${c.id}: PUBLIC_URL`).toMatch(/^https:\/\//);
      const service = objects.find((o) => o.kind === "Service" && o.metadata.name === "api");
      expect(service?.spec.ports.map((p: { targetPort: unknown }) => p.targetPort)).toEqual([portName]);
    }
  });

  it("gives every Deployment a termination grace period above its longest shutdown", () => {
    for (const c of containers.filter((x) => x.pod.owner.kind === "Deployment")) {
      const config = loadConfig(c.env);
      const graceMs = Number(c.pod.spec.terminationGracePeriodSeconds ?? 30) * 1000;
      const needed =
        preStopMs(c.container) +
        (c.pod.owner.metadata.name === "prober" ? proberBudgetMs(config) : config.SHUTDOWN_GRACE_MS);
      expect(graceMs, `${c.id}: terminationGracePeriodSeconds`).toBeGreaterThan(needed);
    }
  });
});

describe.each(serviceNames)("%s", (service) => {
  it("has the entry point its command runs (src/main.ts compiles to dist/main.js)", () => {
    const entry = serviceCommand(service)[1] ?? "";
    expect(entry).toBe(`services/${service}/dist/main.js`);
    expect(existsSync(join(repoRoot, entry.replace("/dist/", "/src/").replace(/\.js$/, ".ts")))).toBe(true);
  });
});
