import { join } from "node:path";
import { consumerConfigs } from "@headless-ops/bus";
import { natsNames, priorities } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { parseSumFormula } from "./support/keda.js";
import {
  databaseTargets,
  generatedConfigMap,
  type K8sObject,
  ofKind,
  readYaml,
  render,
  repoRoot,
  targets,
} from "./support/render.js";

type Validatable = { validate: () => void };
type ModelClass = new (data: unknown) => Validatable;

/** The model class for an apiVersion/kind: kubernetes-models for built-ins, per-CRD packages otherwise. */
async function modelFor(apiVersion: string, kind: string): Promise<ModelClass | undefined> {
  const modules: Record<string, string> = {
    "keda.sh/v1alpha1": "@kubernetes-models/keda/keda.sh/v1alpha1",
    "monitoring.coreos.com/v1": "@kubernetes-models/prometheus-operator/monitoring.coreos.com/v1",
  };
  const specifier = modules[apiVersion] ?? `kubernetes-models/${apiVersion}`;
  const mod = (await import(specifier).catch(() => ({}))) as Record<string, ModelClass | undefined>;
  return mod[kind];
}

/** CRDs with no published model package: their required fields, checked by hand. */
const crdChecks: Record<string, (o: K8sObject) => string[]> = {
  "postgresql.cnpg.io/v1/Cluster": (o) => {
    const problems: string[] = [];
    const spec = o.spec ?? {};
    if (!Number.isInteger(spec.instances) || spec.instances < 1) problems.push("spec.instances must be >= 1");
    if (!spec.storage?.size && !spec.storage?.pvcTemplate) problems.push("spec.storage.size is required");
    const initdb = spec.bootstrap?.initdb;
    if (initdb && (!initdb.database || !initdb.owner))
      problems.push("bootstrap.initdb needs database and owner");
    return problems;
  },
  "postgresql.cnpg.io/v1/Pooler": (o) => {
    const problems: string[] = [];
    const spec = o.spec ?? {};
    if (!spec.cluster?.name) problems.push("spec.cluster.name is required");
    if (!["rw", "ro", "r"].includes(spec.type)) problems.push("spec.type must be rw, ro or r");
    if (!["session", "transaction"].includes(spec.pgbouncer?.poolMode)) problems.push("pgbouncer.poolMode");
    return problems;
  },
  "postgresql.cnpg.io/v1/ScheduledBackup": (o) => {
    const problems: string[] = [];
    if (!o.spec?.cluster?.name) problems.push("spec.cluster.name is required");
    // CloudNativePG's cron has six fields, seconds first: a five-field one is rejected.
    if (String(o.spec?.schedule ?? "").split(" ").length !== 6) problems.push("spec.schedule needs 6 fields");
    return problems;
  },
};

describe.each([...targets, ...databaseTargets])("kubectl kustomize deploy/k8s/%s", (target) => {
  it("renders, and every object validates against its schema offline", async () => {
    const objects = render(target);
    expect(objects.length).toBeGreaterThan(target.startsWith("database/") ? 4 : 10);
    const problems: string[] = [];
    for (const o of objects) {
      const id = `${o.kind}/${o.metadata?.name}`;
      const custom = crdChecks[`${o.apiVersion}/${o.kind}`];
      if (custom) {
        problems.push(...custom(o).map((p) => `${id}: ${p}`));
        continue;
      }
      const Model = await modelFor(o.apiVersion, o.kind);
      if (!Model) {
        problems.push(`${id}: no schema for ${o.apiVersion} ${o.kind}; add one to this test`);
        continue;
      }
      try {
        new Model(o).validate();
      } catch (err) {
        problems.push(`${id}: ${(err as Error).message}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("names every object uniquely per kind and namespace", () => {
    const ids = render(target).map((o) => `${o.kind}/${o.metadata.namespace ?? ""}/${o.metadata.name}`);
    expect(ids.length).toBe(new Set(ids).size);
  });
});

describe("prober autoscaling", () => {
  const names = natsNames("");
  const durable = consumerConfigs("")
    .filter((c) => c.stream === names.streams.deviceJobs)
    .map((c) => c.config);

  it("the prober consumers are durable and never expire for inactivity", () => {
    expect(durable.map((c) => c.durable_name).sort()).toEqual(priorities.map(names.consumers.prober).sort());
    for (const c of durable) expect(c.inactive_threshold ?? 0).toBe(0);
  });

  it("KEDA scales probers on the lag of every DEVICE_JOBS consumer", () => {
    const [scaled] = ofKind(render("overlays/prod"), "ScaledObject");
    expect(scaled?.spec.scaleTargetRef).toMatchObject({ kind: "Deployment", name: "prober" });
    const triggers = scaled?.spec.triggers as { type: string; metadata: Record<string, string> }[];
    for (const t of triggers) {
      expect(t.type).toBe("nats-jetstream");
      for (const key of ["natsServerMonitoringEndpoint", "account", "stream", "consumer", "lagThreshold"]) {
        expect(t.metadata[key], `trigger metadata ${key}`).toBeTruthy();
      }
      expect(t.metadata.stream).toBe(names.streams.deviceJobs);
      expect(Number(t.metadata.lagThreshold)).toBeGreaterThan(0);
      expect(t.metadata.natsServerMonitoringEndpoint).toMatch(/:8222$/);
    }
    expect(triggers.map((t) => t.metadata.consumer).sort()).toEqual(
      durable.map((c) => c.durable_name as string).sort(),
    );
  });

  it("KEDA adds the three lags, falls back on scaler errors and keeps one prober in prod", () => {
    const [scaled] = ofKind(render("overlays/prod"), "ScaledObject");
    const triggerNames = ((scaled?.spec.triggers ?? []) as { name: string }[]).map((t) => t.name).sort();
    expect(parseSumFormula(scaled?.spec.advanced.scalingModifiers.formula).sort()).toEqual(triggerNames);
    expect(scaled?.spec.advanced.scalingModifiers.metricType).toBe("AverageValue");
    expect(scaled?.spec.fallback.failureThreshold).toBeGreaterThan(0);
    expect(scaled?.spec.fallback.replicas).toBeGreaterThan(0);
    expect(scaled?.spec.minReplicaCount).toBe(1);
    const [zero] = ofKind(render("overlays/prod-scale-to-zero"), "ScaledObject");
    expect(zero?.spec.minReplicaCount).toBe(0);
    // KEDA activates when value > activationTarget: 0 lets one waiting job wake a prober.
    expect(Number(zero?.spec.advanced.scalingModifiers.activationTarget)).toBe(0);
  });

  it("reads NATS monitoring on the headless Service the committed chart values expose", () => {
    const values = readYaml(join(repoRoot, "deploy", "nats", "helm-values.yaml")) as {
      config: { monitor: { enabled: boolean; port: number }; jetstream: { enabled: boolean } };
    };
    expect(values.config.monitor.enabled).toBe(true);
    expect(values.config.jetstream.enabled).toBe(true);
    const [scaled] = ofKind(render("overlays/prod"), "ScaledObject");
    for (const t of scaled?.spec.triggers ?? []) {
      // Release "nats" in namespace "nats": the chart names the headless Service <release>-headless.
      expect(t.metadata.natsServerMonitoringEndpoint).toBe(
        `nats-headless.nats.svc.cluster.local:${values.config.monitor.port}`,
      );
    }
  });

  it.each(targets.filter((t) => t.startsWith("overlays/prod")))(
    "%s: the ScaledObject names the stream NATS_PREFIX gives the services",
    (target) => {
      const objects = render(target);
      const prefix = generatedConfigMap(objects, "headless-ops-config")?.data?.NATS_PREFIX ?? "";
      const stream = natsNames(prefix).streams.deviceJobs;
      for (const scaled of ofKind(objects, "ScaledObject")) {
        for (const t of scaled.spec.triggers) expect(t.metadata.stream, scaled.metadata.name).toBe(stream);
      }
    },
  );

  it("exactly one autoscaler drives the prober, and the Deployment leaves it the replica count", () => {
    for (const target of ["overlays/prod", "overlays/prod-hpa"] as const) {
      const objects = render(target);
      const scalers = [...ofKind(objects, "ScaledObject"), ...ofKind(objects, "HorizontalPodAutoscaler")];
      expect(
        scalers.map((s) => s.spec.scaleTargetRef.name),
        target,
      ).toEqual(["prober"]);
      const prober = objects.find((o) => o.kind === "Deployment" && o.metadata.name === "prober");
      expect(prober?.spec.replicas, `${target}: prober spec.replicas`).toBeUndefined();
    }
    const [hpa] = ofKind(render("overlays/prod-hpa"), "HorizontalPodAutoscaler");
    expect(hpa?.spec.metrics[0].resource.name).toBe("cpu");
  });
});
