import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { loadConfig } from "@headless-ops/runtime";
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
import { readYaml, repoRoot } from "./support/render.js";

type ComposeService = {
  image?: string;
  build?: { context: string; dockerfile: string };
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  user?: string;
  read_only?: boolean;
  security_opt?: string[];
  stop_grace_period?: string;
};

const composeDir = join(repoRoot, "deploy", "compose");
const compose = readYaml(join(composeDir, "compose.yaml")) as { services: Record<string, ComposeService> };
const services = compose.services;
const ours = ["migrate", ...serviceNames] as const;

const seconds = (duration = "10s") => Number(/^(\d+)s$/.exec(duration)?.[1] ?? Number.NaN);

describe("deploy/compose/compose.yaml", () => {
  it("runs NATS with JetStream, Postgres, migrate and the five services", () => {
    expect(Object.keys(services).sort()).toEqual(["nats", "nats-provision", "postgres", ...ours].sort());
    expect(services.nats?.command?.some((a) => a === "--jetstream" || a === "-js")).toBe(true);
  });

  it("builds one image from the repo's Dockerfile for every headless-ops service", () => {
    const images = new Set(ours.map((s) => services[s]?.image));
    expect(images.size).toBe(1);
    const build = services.migrate?.build;
    expect(build).toBeDefined();
    expect(resolve(composeDir, build?.context ?? "")).toBe(resolve(repoRoot));
    expect(existsSync(join(repoRoot, build?.dockerfile ?? ""))).toBe(true);
  });

  it.each(ours)("%s runs the command of its package script", (name) => {
    expect(services[name]?.command).toEqual(name === "migrate" ? migrateCommand() : serviceCommand(name));
  });

  it.each(ours)("%s sets only known variables, every required one, and a valid config", (name) => {
    const env = services[name]?.environment ?? {};
    const known = new Set(configKeys());
    expect(Object.keys(env).filter((k) => !known.has(k))).toEqual([]);
    const required = [
      ...requiredConfigKeys(),
      ...deploymentRequired[name === "migrate" ? "migrate" : "service"],
    ];
    expect(required.filter((k) => !(k in env))).toEqual([]);
    const config = loadConfig(env);
    expect(new URL(config.DATABASE_URL).hostname).toBe("postgres");
    expect(new URL(config.NATS_URL).hostname).toBe("nats");
  });

  it.each(ours)(
    "%s gets a credential key only if it is the api or the prober, never a literal one",
    (name) => {
      const env = services[name]?.environment ?? {};
      const holds = credentialKeyVariables.filter((k) => k in env);
      expect(holds.length > 0, name).toBe(credentialKeyHolders.includes(name));
      for (const k of holds)
        expect(env[k], `${name} ${k} comes from the caller's environment`).toMatch(/^\$\{/);
    },
  );

  it("publishes the API on its configured port and health-checks every service on its own port", () => {
    for (const name of serviceNames) {
      const config = loadConfig(services[name]?.environment ?? {});
      const port = name === "api" ? config.PORT : config.METRICS_PORT;
      expect(services[name]?.healthcheck?.test.join(" "), name).toContain(`:${port}/readyz`);
    }
    const api = loadConfig(services.api?.environment ?? {});
    expect(services.api?.ports?.map((p) => Number(p.split(":").at(-1)))).toEqual([api.PORT]);
  });

  it("starts services after migrations and stream provisioning succeed and NATS is healthy", () => {
    for (const name of serviceNames) {
      expect(services[name]?.depends_on, name).toEqual({
        migrate: { condition: "service_completed_successfully" },
        "nats-provision": { condition: "service_completed_successfully" },
        nats: { condition: "service_healthy" },
      });
    }
    expect(services.migrate?.depends_on).toEqual({ postgres: { condition: "service_healthy" } });
  });

  it.each(ours)("%s runs non-root, read-only, with a stop grace above its shutdown budget", (name) => {
    const s = services[name] as ComposeService;
    expect(Number(s.user?.split(":")[0])).toBeGreaterThan(0);
    expect(s.read_only).toBe(true);
    expect(s.security_opt).toContain("no-new-privileges:true");
    const c = loadConfig(s.environment ?? {});
    const budget = c.SHUTDOWN_GRACE_MS + c.PROBE_TIMEOUT_MS * c.PROBE_MAX_ATTEMPTS;
    expect(seconds(s.stop_grace_period) * 1000).toBeGreaterThan(budget);
  });
});
