import { join } from "node:path";
import { NATS_PASSWORDS_SECRET, natsPermissions } from "@headless-ops/bus";
import {
  companionOf,
  type K8sObject,
  k8sDir,
  ofKind,
  readYaml,
  render,
  secretValues,
  type Target,
} from "./render.js";

/** A pod template with the workload that owns it. */
export type PodTemplate = {
  owner: K8sObject;
  labels: Record<string, string>;
  // biome-ignore lint/suspicious/noExplicitAny: pod specs are arbitrary nested YAML.
  spec: any;
};

// biome-ignore lint/suspicious/noExplicitAny: containers are arbitrary nested YAML.
export type Container = any;

const workloadKinds = ["Deployment", "StatefulSet", "DaemonSet", "Job"];

export function podTemplates(objects: K8sObject[]): PodTemplate[] {
  return objects
    .filter((o) => workloadKinds.includes(o.kind))
    .map((owner) => ({
      owner,
      labels: owner.spec?.template?.metadata?.labels ?? {},
      spec: owner.spec?.template?.spec ?? {},
    }));
}

/** headless-ops's own pods (as opposed to the dev overlay's NATS and Postgres). */
export function ourPods(objects: K8sObject[]): PodTemplate[] {
  return podTemplates(objects).filter((t) => t.labels["app.kubernetes.io/name"] === "headless-ops");
}

export function containersOf(t: PodTemplate): Container[] {
  return [...(t.spec.initContainers ?? []), ...(t.spec.containers ?? [])];
}

type Selector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
};

/** Kubernetes label-selector semantics (an empty selector matches everything). */
export function selects(selector: Selector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabels = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpressions = (selector.matchExpressions ?? []).every((e) => {
    const value = labels[e.key];
    if (e.operator === "In") return value !== undefined && (e.values ?? []).includes(value);
    if (e.operator === "NotIn") return value === undefined || !(e.values ?? []).includes(value);
    if (e.operator === "Exists") return value !== undefined;
    if (e.operator === "DoesNotExist") return value === undefined;
    throw new Error(`unknown selector operator ${e.operator}`);
  });
  return byLabels && byExpressions;
}

/**
 * Objects an overlay uses without rendering them, each with its reason:
 * Secrets created out of band (documented in deploy/README.md), the database kustomization applied
 * beside it (`companionOf`) and what an operator creates from a rendered custom resource
 * (CloudNativePG: `<cluster>-app` Secret, `-rw|-ro|-r` Services, a Service per Pooler).
 */
const prodOutOfBand = [
  "Secret/headless-ops-secrets",
  "Secret/headless-ops-db-runtime",
  `Secret/${NATS_PASSWORDS_SECRET}`,
];
export const outOfBand: Partial<Record<Target, string[]>> = {
  "overlays/prod": prodOutOfBand,
  "overlays/prod-hpa": prodOutOfBand,
  "overlays/prod-scale-to-zero": prodOutOfBand,
};

function exampleSecret(): K8sObject {
  return readYaml(join(k8sDir, "base", "secret.example.yaml")) as K8sObject;
}

/** The rendered objects plus those provided outside the render (see `outOfBand`). */
export function withProvided(target: Target, objects: K8sObject[]): K8sObject[] {
  const companion = companionOf(target);
  const database = companion ? render(companion) : [];
  const provided: K8sObject[] = [...database];
  for (const ref of outOfBand[target] ?? []) provided.push(standIn(ref, database));
  for (const pooler of ofKind(database, "Pooler")) {
    const ns = pooler.metadata.namespace ?? "";
    provided.push({
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: pooler.metadata.name, namespace: ns },
      spec: { ports: [{ port: 5432 }] },
    });
  }
  for (const cluster of ofKind([...objects, ...database], "Cluster")) {
    const name = cluster.metadata.name;
    const ns = cluster.metadata.namespace ?? "";
    const db = cluster.spec?.bootstrap?.initdb?.database ?? "app";
    const user = cluster.spec?.bootstrap?.initdb?.owner ?? db;
    const host = `${name}-rw.${ns}`;
    provided.push({
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: `${name}-app`, namespace: ns },
      stringData: {
        username: user,
        password: "sample",
        host,
        port: "5432",
        dbname: db,
        uri: `postgresql://${user}:sample@${host}:5432/${db}`,
      },
    });
    for (const suffix of ["rw", "ro", "r"]) {
      provided.push({
        apiVersion: "v1",
        kind: "Service",
        metadata: { name: `${name}-${suffix}`, namespace: ns },
        spec: { ports: [{ port: 5432 }] },
      });
    }
  }
  return [...objects, ...provided];
}

/** A sample of an out-of-band Secret with the keys deploy/README.md tells the operator to set. */
function standIn(ref: string, database: K8sObject[]): K8sObject {
  // Same keys as the example; sample values only stand in for the real ones.
  if (ref === "Secret/headless-ops-secrets") return exampleSecret();
  const [cluster] = ofKind(database, "Cluster");
  if (ref === `Secret/${NATS_PASSWORDS_SECRET}`) {
    // One key per NATS user of the generated server config (deploy/README.md creates them).
    return {
      apiVersion: "v1",
      kind: "Secret",
      metadata: { name: NATS_PASSWORDS_SECRET, namespace: cluster?.metadata.namespace ?? "" },
      stringData: Object.fromEntries(
        natsPermissions("").map((u) => [u.passwordVariable, `p-sample-${u.user}`]),
      ),
    };
  }
  if (ref !== "Secret/headless-ops-db-runtime") throw new Error(`no stand-in for ${ref}`);
  const [pooler] = ofKind(database, "Pooler");
  const ns = cluster?.metadata.namespace ?? "";
  const db = cluster?.spec?.bootstrap?.initdb?.database;
  const user = cluster?.spec?.managed?.roles?.[0]?.name;
  return {
    apiVersion: "v1",
    kind: "Secret",
    metadata: { name: "headless-ops-db-runtime", namespace: ns },
    stringData: {
      username: user,
      password: "sample",
      uri: `postgresql://${user}:sample@${cluster?.metadata.name}-rw.${ns}:5432/${db}`,
      "pooler-uri": `postgresql://${user}:sample@${pooler?.metadata.name}.${ns}:5432/${db}`,
    },
  };
}

/** The environment a container gets (envFrom, then env), or the references that do not resolve. */
export function containerEnv(
  container: Container,
  objects: K8sObject[],
): { env: Record<string, string>; problems: string[] } {
  const env: Record<string, string> = {};
  const problems: string[] = [];
  const source = (kind: "ConfigMap" | "Secret", name: string) => {
    const o = objects.find((x) => x.kind === kind && x.metadata.name === name);
    if (!o) return undefined;
    return kind === "Secret" ? secretValues(o) : (o.data ?? {});
  };
  for (const from of container.envFrom ?? []) {
    const kind = from.configMapRef ? "ConfigMap" : "Secret";
    const name = (from.configMapRef ?? from.secretRef).name as string;
    const values = source(kind, name);
    if (values) Object.assign(env, values);
    else problems.push(`envFrom ${kind}/${name} does not exist`);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) {
      env[e.name] = String(e.value);
      continue;
    }
    const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
    const kind = e.valueFrom?.secretKeyRef ? "Secret" : "ConfigMap";
    const value = ref ? source(kind, ref.name)?.[ref.key] : undefined;
    if (value === undefined)
      problems.push(`env ${e.name}: ${kind}/${ref?.name} key ${ref?.key} does not exist`);
    else env[e.name] = value;
  }
  return { env, problems };
}

/** Every env var NAME a container sets, whether or not its source resolves. */
export function envNames(container: Container, objects: K8sObject[]): string[] {
  return Object.keys(containerEnv(container, objects).env).concat(
    (container.env ?? []).map((e: { name: string }) => e.name),
  );
}
