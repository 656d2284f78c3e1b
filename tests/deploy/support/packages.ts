import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { configSchema } from "@headless-ops/runtime";
import { repoRoot } from "./render.js";

type PackageJson = {
  name: string;
  scripts?: Record<string, string>;
  dependencies?: Record<string, string>;
  workspaces?: string[];
};

export function readPackage(dir: string): PackageJson {
  return JSON.parse(readFileSync(join(repoRoot, dir, "package.json"), "utf8")) as PackageJson;
}

/** Workspace package folders ("libs/db", "services/api", ...), from the root workspaces globs. */
export function workspaceDirs(): string[] {
  const globs = readPackage(".").workspaces ?? [];
  return globs.flatMap((glob) => {
    const parent = glob.replace(/\/\*$/, "");
    return readdirSync(join(repoRoot, parent), { withFileTypes: true })
      .filter((d) => d.isDirectory() && existsSync(join(repoRoot, parent, d.name, "package.json")))
      .map((d) => `${parent}/${d.name}`);
  });
}

export const serviceNames = ["api", "scheduler", "prober", "aggregator", "notifier"] as const;
export type ServiceName = (typeof serviceNames)[number];

/** The `node …` part of a script, with paths made relative to the repo root (the image's WORKDIR). */
function nodeCommand(script: string, packageDir: string): string[] {
  const part = script
    .split("&&")
    .map((s) => s.trim())
    .find((s) => s.startsWith("node "));
  if (!part) throw new Error(`no "node …" command in script: ${script}`);
  const [node, entry, ...rest] = part.split(/\s+/);
  if (!node || !entry) throw new Error(`cannot parse script: ${script}`);
  return [node, packageDir === "." ? entry : `${packageDir}/${entry}`, ...rest];
}

/** `node services/<name>/dist/main.js`, derived from the service's `start` script. */
export function serviceCommand(service: ServiceName): string[] {
  const start = readPackage(`services/${service}`).scripts?.start;
  if (!start) throw new Error(`services/${service} has no start script`);
  return nodeCommand(start, `services/${service}`);
}

/** `node libs/db/dist/cli.js`, derived from the root `migrate` script. */
export function migrateCommand(): string[] {
  const migrate = readPackage(".").scripts?.migrate;
  if (!migrate) throw new Error("root package.json has no migrate script");
  return nodeCommand(migrate, ".");
}

/** The workspace folders a service needs at run time: itself and its @headless-ops deps, transitively. */
export function runtimeClosure(service: ServiceName): string[] {
  const byName = new Map(workspaceDirs().map((dir) => [readPackage(dir).name, dir]));
  const seen = new Set<string>();
  const visit = (dir: string) => {
    if (seen.has(dir)) return;
    seen.add(dir);
    for (const dep of Object.keys(readPackage(dir).dependencies ?? {})) {
      const depDir = byName.get(dep);
      if (depDir) visit(depDir);
    }
  };
  visit(`services/${service}`);
  return [...seen];
}

/** Config variable names, read from the live zod schema (never a copy). */
export const configKeys = (): string[] => Object.keys(configSchema.shape);

/** Variables with neither a default nor `.optional()`: every deployment must set them. */
export function requiredConfigKeys(): string[] {
  const shape = configSchema.shape as Record<string, { safeParse: (v: unknown) => { success: boolean } }>;
  return Object.entries(shape)
    .filter(([, schema]) => !schema.safeParse(undefined).success)
    .map(([key]) => key);
}

/** The schema's default for one variable. */
export function configDefault(key: string): unknown {
  const shape = configSchema.shape as Record<string, { safeParse: (v: unknown) => { data?: unknown } }>;
  const schema = shape[key];
  if (!schema) throw new Error(`${key} is not in the config schema`);
  return schema.safeParse(undefined).data;
}

/**
 * Variables whose schema default only suits a developer's machine (127.0.0.1) or that a service
 * cannot work without in a cluster: deployments must set them even though the schema does not require them.
 */
export const deploymentRequired: Record<"service" | "migrate", string[]> = {
  service: ["DATABASE_URL", "NATS_URL"],
  migrate: ["DATABASE_URL"],
};

/** The only workloads that seal or open credentials (devices; webhook secrets for the notifier): the only ones given a credential key. */
export const credentialKeyHolders: readonly string[] = ["api", "prober", "notifier"];
export const credentialKeyVariables: readonly string[] = ["CREDENTIAL_KEY", "CREDENTIAL_KEYS"];
