import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import {
  companionOf,
  databaseTargets,
  generatedConfigMap,
  type K8sObject,
  k8sDir,
  parseYamlDocuments,
  render,
  targets,
} from "./support/render.js";
import { containersOf, outOfBand, podTemplates, selects, withProvided } from "./support/workloads.js";

const namespaced = (o: K8sObject) => !["Namespace", "ClusterRole", "ClusterRoleBinding"].includes(o.kind);

function exists(objects: K8sObject[], kind: string, name: string): boolean {
  return objects.some((o) => o.kind === kind && o.metadata.name === name);
}

/** Every object name a pod spec refers to, as "Kind/name". */
// biome-ignore lint/suspicious/noExplicitAny: pod specs are arbitrary nested YAML.
function podReferences(spec: any): string[] {
  const refs: string[] = [];
  if (spec.serviceAccountName) refs.push(`ServiceAccount/${spec.serviceAccountName}`);
  for (const v of spec.volumes ?? []) {
    if (v.configMap) refs.push(`ConfigMap/${v.configMap.name}`);
    if (v.secret) refs.push(`Secret/${v.secret.secretName}`);
    if (v.persistentVolumeClaim) refs.push(`PersistentVolumeClaim/${v.persistentVolumeClaim.claimName}`);
  }
  for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) {
    for (const from of c.envFrom ?? []) {
      if (from.configMapRef) refs.push(`ConfigMap/${from.configMapRef.name}`);
      if (from.secretRef) refs.push(`Secret/${from.secretRef.name}`);
    }
    for (const e of c.env ?? []) {
      if (e.valueFrom?.secretKeyRef) refs.push(`Secret/${e.valueFrom.secretKeyRef.name}`);
      if (e.valueFrom?.configMapKeyRef) refs.push(`ConfigMap/${e.valueFrom.configMapKeyRef.name}`);
    }
  }
  return refs;
}

describe.each(targets.filter((t) => t !== "base"))("deploy/k8s/%s references", (target) => {
  const rendered = render(target);
  const objects = withProvided(target, rendered);
  const pods = podTemplates(rendered);

  it("puts every namespaced object in the overlay's namespace, which it (or its database) creates", () => {
    const companion = companionOf(target);
    const creator = companion ? render(companion) : rendered;
    const [ns] = creator.filter((o) => o.kind === "Namespace").map((o) => o.metadata.name);
    expect(ns).toBeTruthy();
    // The app overlay never owns the namespace its database lives in: `kubectl delete -k` would take it.
    if (companion) expect(rendered.filter((o) => o.kind === "Namespace" || o.kind === "Cluster")).toEqual([]);
    if (companion)
      expect(render(companion).every((o) => !namespaced(o) || o.metadata.namespace === ns)).toBe(true);
    const elsewhere = rendered.filter((o) => namespaced(o) && o.metadata.namespace !== ns);
    expect(elsewhere.map((o) => `${o.kind}/${o.metadata.name}`)).toEqual([]);
  });

  it("refers only to objects that exist (rendered, or provided as deploy/README.md says)", () => {
    const missing = pods.flatMap((p) =>
      podReferences(p.spec)
        .filter((ref) => {
          const [kind = "", name = ""] = ref.split("/");
          return !exists(objects, kind, name);
        })
        .map((ref) => `${p.owner.kind}/${p.owner.metadata.name} -> ${ref}`),
    );
    expect(missing).toEqual([]);
    for (const ref of outOfBand[target] ?? []) {
      const [kind = "", name = ""] = ref.split("/");
      expect(exists(rendered, kind, name), `${ref} is declared out of band yet rendered`).toBe(false);
    }
  });

  it("selects existing pods from every Service, PodDisruptionBudget and NetworkPolicy", () => {
    const selectors = rendered
      .filter((o) => ["Service", "PodDisruptionBudget", "NetworkPolicy"].includes(o.kind))
      .map((o) => {
        const selector = o.kind === "Service" ? { matchLabels: o.spec.selector } : o.spec.selector;
        return { o, selector: o.kind === "NetworkPolicy" ? o.spec.podSelector : selector };
      });
    for (const { o, selector } of selectors) {
      const matched = pods.filter((p) => selects(selector, p.labels));
      expect(matched.length, `${o.kind}/${o.metadata.name} selects no pod`).toBeGreaterThan(0);
      if (o.kind !== "Service") continue;
      for (const port of o.spec.ports) {
        if (typeof port.targetPort !== "string") continue;
        const named = matched.every((p) =>
          containersOf(p).some((c) =>
            (c.ports ?? []).some((cp: { name?: string }) => cp.name === port.targetPort),
          ),
        );
        expect(named, `Service/${o.metadata.name} targetPort ${port.targetPort}`).toBe(true);
      }
    }
  });

  it("names the config ConfigMap by a hash of its data, so a config change rolls every pod", () => {
    const config = generatedConfigMap(rendered, "headless-ops-config");
    expect(config, "headless-ops-config-<hash>").toBeDefined();
    for (const p of pods.filter((x) => x.labels["app.kubernetes.io/name"] === "headless-ops")) {
      expect(podReferences(p.spec), p.owner.metadata.name).toContain(`ConfigMap/${config?.metadata.name}`);
    }
  });

  it("scales only workloads that exist", () => {
    for (const o of rendered.filter((x) => ["ScaledObject", "HorizontalPodAutoscaler"].includes(x.kind))) {
      const ref = o.spec.scaleTargetRef;
      expect(exists(rendered, ref.kind ?? "Deployment", ref.name), `${o.kind}/${o.metadata.name}`).toBe(true);
    }
  });

  it("points DATABASE_URL and NATS_URL at a Service it deploys or one provided beside it", () => {
    const config = generatedConfigMap(rendered, "headless-ops-config");
    const natsHost = new URL(config?.data?.NATS_URL ?? "").hostname;
    const external = target.startsWith("overlays/prod") && natsHost === "nats.nats.svc.cluster.local";
    expect(external || exists(rendered, "Service", natsHost), `NATS_URL host ${natsHost}`).toBe(true);
    const secret = objects.find((o) => o.kind === "Secret" && o.metadata.name === "headless-ops-db-app");
    const dbUrl = secret?.stringData?.uri ?? withSecretUrl(objects);
    const dbHost = new URL(dbUrl).hostname.split(".")[0] ?? "";
    expect(exists(objects, "Service", dbHost), `DATABASE_URL host ${dbHost}`).toBe(true);
  });
});

function withSecretUrl(objects: K8sObject[]): string {
  const s = objects.find((o) => o.kind === "Secret" && o.metadata.name === "headless-ops-secrets");
  return s?.stringData?.DATABASE_URL ?? "";
}

/** Every kustomization under deploy/k8s, with the files and folders it lists. */
function kustomizations(): { dir: string; refs: string[] }[] {
  const out: { dir: string; refs: string[] }[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir)) {
      const path = join(dir, entry);
      if (statSync(path).isDirectory()) walk(path);
      else if (entry === "kustomization.yaml") {
        const [k] = parseYamlDocuments(readFileSync(path, "utf8")) as {
          resources?: string[];
          components?: string[];
          patches?: { path?: string }[];
        }[];
        const refs = [
          ...(k?.resources ?? []),
          ...(k?.components ?? []),
          ...(k?.patches ?? []).flatMap((p) => (p.path ? [p.path] : [])),
        ];
        out.push({ dir, refs: refs.map((r) => resolve(dir, r)) });
      }
    }
  };
  walk(k8sDir);
  return out;
}

describe("deploy/k8s files", () => {
  it("every file a kustomization lists exists, and every manifest is listed by one", () => {
    const all = kustomizations();
    const listed = new Set(all.flatMap((k) => k.refs));
    for (const ref of listed) expect(() => statSync(ref), relative(k8sDir, ref)).not.toThrow();
    const manifests: string[] = [];
    for (const k of all) {
      for (const f of readdirSync(k.dir)) {
        if (f.endsWith(".yaml") && f !== "kustomization.yaml") manifests.push(join(k.dir, f));
      }
    }
    const orphans = manifests.filter((m) => !listed.has(m)).map((m) => relative(k8sDir, m));
    expect(orphans).toEqual([]);
    const unused = all
      .map((k) => relative(k8sDir, k.dir))
      .filter((d) => !listed.has(join(k8sDir, d)) && ![...targets, ...databaseTargets].includes(d as "base"));
    expect(unused, "kustomizations neither rendered by a test nor used by another").toEqual([]);
  });
});
