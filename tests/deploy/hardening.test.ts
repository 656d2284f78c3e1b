import { loadConfig } from "@headless-ops/runtime";
import { describe, expect, it } from "vitest";
import { type K8sObject, ofKind, render, targets } from "./support/render.js";
import {
  type Container,
  containerEnv,
  containersOf,
  ourPods,
  type PodTemplate,
  selects,
  withProvided,
} from "./support/workloads.js";

type Rule = { ports?: { port: number; protocol?: string }[]; to?: unknown[]; from?: unknown[] };

/** The NetworkPolicies selecting a pod, split by direction. */
function policiesFor(objects: K8sObject[], pod: PodTemplate) {
  const policies = ofKind(objects, "NetworkPolicy").filter((p) => selects(p.spec.podSelector, pod.labels));
  const types = (p: K8sObject): string[] => p.spec.policyTypes ?? ["Ingress"];
  return {
    policies,
    egress: policies
      .filter((p) => types(p).includes("Egress"))
      .flatMap((p) => (p.spec.egress ?? []) as Rule[]),
    ingress: policies
      .filter((p) => types(p).includes("Ingress"))
      .flatMap((p) => (p.spec.ingress ?? []) as Rule[]),
  };
}

const portsOf = (rules: Rule[]) =>
  rules.flatMap((r) => (r.ports ?? [{ port: -1 }]).map((p) => `${p.protocol ?? "TCP"}/${p.port}`));

describe.each(targets)("deploy/k8s/%s hardening", (target) => {
  const objects = render(target);
  const pods = ourPods(objects);

  it("runs every container non-root, read-only, unprivileged, with requests and limits", () => {
    for (const pod of pods) {
      const id = `${pod.owner.kind}/${pod.owner.metadata.name}`;
      expect(pod.spec.securityContext?.runAsNonRoot, id).toBe(true);
      expect(pod.spec.securityContext?.runAsUser, id).toBeGreaterThan(0);
      expect(pod.spec.automountServiceAccountToken, id).toBe(false);
      for (const c of containersOf(pod) as Container[]) {
        expect(c.securityContext, `${id}/${c.name}`).toMatchObject({
          allowPrivilegeEscalation: false,
          readOnlyRootFilesystem: true,
          capabilities: { drop: ["ALL"] },
        });
        expect(c.securityContext.privileged ?? false).toBe(false);
        for (const kind of ["requests", "limits"]) {
          expect(Object.keys(c.resources?.[kind] ?? {}).sort(), `${id}/${c.name} ${kind}`).toEqual([
            "cpu",
            "memory",
          ]);
        }
      }
    }
  });

  it("covers every Deployment with a PodDisruptionBudget that never blocks a drain", () => {
    const pdbs = ofKind(objects, "PodDisruptionBudget");
    for (const pod of pods.filter((p) => p.owner.kind === "Deployment")) {
      const covering = pdbs.filter((pdb) => selects(pdb.spec.selector, pod.labels));
      expect(covering.length, pod.owner.metadata.name).toBe(1);
      expect(covering[0]?.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    }
  });

  it("denies all traffic to and from our pods except what each one needs", () => {
    const provided = withProvided(target, objects);
    for (const pod of pods) {
      const name = pod.owner.metadata.name;
      const { policies, egress, ingress } = policiesFor(objects, pod);
      const deny = policies.find((p) => !p.spec.ingress && !p.spec.egress);
      expect(deny?.spec.policyTypes.sort(), `${name}: default deny`).toEqual(["Egress", "Ingress"]);
      const allowedEgress = ["UDP/53", "TCP/53", "TCP/5432"];
      if (name !== "headless-ops-migrate") allowedEgress.push("TCP/4222");
      if (name === "prober") allowedEgress.push("UDP/161");
      if (name === "notifier") allowedEgress.push("TCP/443");
      expect([...new Set(portsOf(egress))].sort(), `${name}: egress ports`).toEqual(allowedEgress.sort());
      const container = containersOf(pod)[0];
      const config = loadConfig(containerEnv(container, provided).env);
      // The API's public port is open to all; metrics ports (the API's too) to monitoring only.
      const expectedIngress =
        name === "api"
          ? [`TCP/${config.PORT}`, `TCP/${config.METRICS_PORT}`]
          : name === "headless-ops-migrate"
            ? []
            : [`TCP/${config.METRICS_PORT}`];
      expect(portsOf(ingress).sort(), `${name}: ingress ports`).toEqual(expectedIngress.sort());
      for (const rule of ingress) {
        if (portsOf([rule]).includes(`TCP/${config.PORT}`) && name === "api") continue;
        expect(rule.from, `${name}: ingress sources`).toBeTruthy();
      }
    }
  });

  it("lets the notifier reach the internet on 443 only, never the cluster's private ranges", () => {
    const notifier = pods.find((p) => p.owner.metadata.name === "notifier") as PodTemplate;
    const https = policiesFor(objects, notifier).egress.filter((r) => portsOf([r]).includes("TCP/443"));
    expect(https.flatMap((r) => portsOf([r]))).toEqual(["TCP/443"]);
    const peers = https.flatMap((r) => (r.to ?? []) as { ipBlock?: { cidr: string; except?: string[] } }[]);
    expect(peers.map((p) => p.ipBlock?.cidr).sort()).toEqual(["0.0.0.0/0", "::/0"]);
    const except = peers.flatMap((p) => p.ipBlock?.except ?? []);
    for (const range of ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "fc00::/7"]) {
      expect(except, range).toContain(range);
    }
  });

  it("lets probers reach exactly the networks the address guard allows", () => {
    const provided = withProvided(target, objects);
    const prober = pods.find((p) => p.owner.metadata.name === "prober") as PodTemplate;
    const config = loadConfig(containerEnv(containersOf(prober)[0], provided).env);
    const opened = policiesFor(objects, prober)
      .egress.filter((r) => portsOf([r]).includes("UDP/161"))
      .flatMap((r) => (r.to ?? []) as { ipBlock?: { cidr: string } }[])
      .map((peer) => peer.ipBlock?.cidr);
    const allowed = config.ALLOWED_NETWORKS.split(",").map((s) => s.trim());
    expect(opened.sort()).toEqual(allowed.sort());
  });

  it("scales to the overlay's size: scheduler x2 by default, one of each in dev, several in prod", () => {
    const replicas = (name: string) =>
      objects.find((o) => o.kind === "Deployment" && o.metadata.name === name)?.spec.replicas;
    if (target === "base") expect(replicas("scheduler")).toBe(2);
    if (target === "overlays/dev") {
      for (const d of ofKind(objects, "Deployment")) expect(d.spec.replicas, d.metadata.name).toBe(1);
    }
    if (target.startsWith("overlays/prod")) {
      for (const name of ["api", "scheduler", "aggregator"]) expect(replicas(name)).toBeGreaterThanOrEqual(2);
    }
  });
});

describe("overlay infrastructure", () => {
  it("dev runs NATS with JetStream and Postgres in the namespace", () => {
    const objects = render("overlays/dev");
    const nats = objects.find((o) => o.kind === "StatefulSet" && o.metadata.name === "nats");
    expect(nats?.spec.template.spec.containers[0].args).toContain("--jetstream");
    expect(objects.some((o) => o.kind === "StatefulSet" && o.metadata.name === "postgres")).toBe(true);
  });

  it("prod replicates streams three times and sizes Postgres connections for every pool", () => {
    const objects = withProvided("overlays/prod", render("overlays/prod"));
    const pods = ourPods(objects);
    const configs = pods.map((p) => loadConfig(containerEnv(containersOf(p)[0], objects).env));
    for (const c of configs) expect(c.NATS_STREAM_REPLICAS).toBe(3);
    const [cluster] = ofKind(objects, "Cluster");
    expect(cluster?.spec.instances).toBeGreaterThanOrEqual(3);
    const [scaled] = ofKind(objects, "ScaledObject");
    const maxReplicas = (pod: PodTemplate) =>
      pod.owner.kind === "Job"
        ? 1
        : pod.owner.metadata.name === scaled?.spec.scaleTargetRef.name
          ? Number(scaled?.spec.maxReplicaCount)
          : Number(pod.owner.spec.replicas) + 1; // + maxSurge during a rollout
    // Each pod's pool goes either through the Pooler (its Service) or straight to the primary.
    const [pooler] = ofKind(objects, "Pooler");
    const pooled = (i: number) =>
      new URL(configs[i]?.DATABASE_URL ?? "").hostname.split(".")[0] === pooler?.metadata.name;
    const clients = (filter: (i: number) => boolean) =>
      pods.reduce(
        (sum, pod, i) => sum + (filter(i) ? maxReplicas(pod) * (configs[i]?.DATABASE_POOL_MAX ?? 0) : 0),
        0,
      );
    const bouncer = pooler?.spec.pgbouncer.parameters ?? {};
    expect(pooler?.spec.pgbouncer.poolMode).toBe("transaction");
    // A client may land on any Pooler instance: one must take them all.
    expect(clients(pooled)).toBeLessThanOrEqual(Number(bouncer.max_client_conn));
    expect(clients(pooled), "api, prober and aggregator use the Pooler").toBeGreaterThan(0);
    const serverSide =
      Number(pooler?.spec.instances) *
      (Number(bouncer.default_pool_size) + Number(bouncer.reserve_pool_size ?? 0));
    const connections = serverSide + clients((i) => !pooled(i));
    const maxConnections = Number(cluster?.spec.postgresql.parameters.max_connections);
    expect(connections).toBeLessThan(maxConnections - 10); // superuser_reserved_connections and operator
  });

  it("prod migrates as the database owner and runs the services as the application role", () => {
    const objects = withProvided("overlays/prod", render("overlays/prod"));
    const [cluster] = ofKind(objects, "Cluster");
    const owner = cluster?.spec.bootstrap.initdb.owner;
    const roles = (cluster?.spec.managed.roles ?? []).map((r: { name: string }) => r.name);
    expect(roles).toEqual(["headless_ops_app"]);
    for (const pod of ourPods(objects)) {
      const env = containerEnv(containersOf(pod)[0], objects).env;
      // Every process's DATABASE_URL is the application role; the migrate Job also gets the owner's
      // MIGRATE_DATABASE_URL, migrates with it and grants the application role row access.
      expect(new URL(env.DATABASE_URL ?? "").username, pod.owner.metadata.name).toBe("headless_ops_app");
      const isJob = pod.owner.kind === "Job";
      expect(env.MIGRATE_DATABASE_URL === undefined, pod.owner.metadata.name).toBe(!isJob);
      const url = new URL((isJob ? env.MIGRATE_DATABASE_URL : env.DATABASE_URL) ?? "");
      if (isJob) expect(url.username).toBe(owner);
      // Session advisory locks (migrations, the scheduler's fan-out lease) need the primary itself.
      if (["Job", "scheduler"].includes(pod.owner.kind === "Job" ? "Job" : pod.owner.metadata.name))
        expect(url.hostname.split(".")[0], pod.owner.metadata.name).toBe(`${cluster?.metadata.name}-rw`);
    }
  });

  it("prod backs the database up and keeps it when the application is deleted", () => {
    const database = render("database/prod");
    const [cluster] = ofKind(database, "Cluster");
    expect(cluster?.spec.backup.barmanObjectStore.destinationPath).toMatch(/^s3:\/\//);
    const [scheduled] = ofKind(database, "ScheduledBackup");
    expect(scheduled?.spec.cluster.name).toBe(cluster?.metadata.name);
    expect(scheduled?.spec.schedule.split(" ")).toHaveLength(6);
    expect(cluster?.spec.affinity.topologyKey).toBe("topology.kubernetes.io/zone");
    const app = render("overlays/prod");
    expect(app.filter((o) => ["Namespace", "Cluster", "Pooler", "ScheduledBackup"].includes(o.kind))).toEqual(
      [],
    );
  });
});
