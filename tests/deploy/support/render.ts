import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));
export const k8sDir = join(repoRoot, "deploy", "k8s");

/** A rendered Kubernetes object, loosely typed: tests read it field by field. */
export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  // biome-ignore lint/suspicious/noExplicitAny: manifests are arbitrary nested YAML.
  spec?: any;
  data?: Record<string, string>;
  stringData?: Record<string, string>;
};

/** What `kubectl kustomize` can render: the base and every overlay. */
export const targets = [
  "base",
  "overlays/dev",
  "overlays/prod",
  "overlays/prod-hpa",
  "overlays/prod-scale-to-zero",
] as const;
export type Target = (typeof targets)[number];

/** Kustomizations applied beside an app overlay and deleted on their own: the production database. */
export const databaseTargets = ["database/prod"] as const;
export type DatabaseTarget = (typeof databaseTargets)[number];

/** The database kustomization an app overlay runs against (it also creates the namespace). */
export function companionOf(target: Target): DatabaseTarget | undefined {
  return target.startsWith("overlays/prod") ? "database/prod" : undefined;
}

const MIN_KUSTOMIZE_MAJOR = 5;

let checked = false;
/** Fails loudly (never skips) when kubectl is missing or embeds a kustomize too old for components. */
function assertKubectl(): void {
  if (checked) return;
  let out: string;
  try {
    out = execFileSync("kubectl", ["version", "--client", "-o", "json"], { encoding: "utf8" });
  } catch (err) {
    throw new Error(
      "kubectl is not installed or does not run: tests/deploy render deploy/k8s with `kubectl kustomize` " +
        `(kubectl >= 1.27, kustomize v${MIN_KUSTOMIZE_MAJOR}); .ci/run installs it. Cause: ${String(err)}`,
    );
  }
  const version = (JSON.parse(out) as { kustomizeVersion?: string }).kustomizeVersion ?? "";
  const major = Number(/^v?(\d+)/.exec(version)?.[1] ?? 0);
  if (major < MIN_KUSTOMIZE_MAJOR) {
    throw new Error(
      `kubectl embeds kustomize ${version || "(unknown)"}; deploy/k8s needs v${MIN_KUSTOMIZE_MAJOR}+ ` +
        "(components, labelSelector patch targets): install kubectl >= 1.27",
    );
  }
  checked = true;
}

const cache = new Map<Target | DatabaseTarget, K8sObject[]>();

/** `kubectl kustomize deploy/k8s/<target>`, parsed. No cluster is contacted. */
export function render(target: Target | DatabaseTarget): K8sObject[] {
  const hit = cache.get(target);
  if (hit) return hit;
  assertKubectl();
  const text = execFileSync("kubectl", ["kustomize", join(k8sDir, target)], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "pipe"],
  });
  const objects = parseYamlDocuments(text) as K8sObject[];
  cache.set(target, objects);
  return objects;
}

/** Every document of a multi-document YAML text; throws on the first syntax error. */
export function parseYamlDocuments(text: string): unknown[] {
  return parseAllDocuments(text, { merge: true })
    .map((doc) => {
      if (doc.errors.length > 0) throw doc.errors[0];
      return doc.toJS() as unknown;
    })
    .filter((doc) => doc !== null && doc !== undefined);
}

export function readYaml(path: string): unknown {
  const [doc] = parseYamlDocuments(readFileSync(path, "utf8"));
  return doc;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject | undefined {
  return objects.find((o) => o.kind === kind && o.metadata.name === name);
}

/** A generated ConfigMap by its generator name: kustomize appends `-<hash of the data>`. */
export function generatedConfigMap(objects: K8sObject[], name: string): K8sObject | undefined {
  const hashed = new RegExp(`^${name}-[a-z0-9]{10}$`);
  return objects.find((o) => o.kind === "ConfigMap" && hashed.test(o.metadata.name));
}

export function ofKind(objects: K8sObject[], kind: string): K8sObject[] {
  return objects.filter((o) => o.kind === kind);
}

/** A Secret's values, whether written as stringData or base64 data. */
export function secretValues(secret: K8sObject): Record<string, string> {
  const decoded = Object.fromEntries(
    Object.entries(secret.data ?? {}).map(([k, v]) => [k, Buffer.from(v, "base64").toString("utf8")]),
  );
  return { ...decoded, ...(secret.stringData ?? {}) };
}
