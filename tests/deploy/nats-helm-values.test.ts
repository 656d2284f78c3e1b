import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import {
  jetstream,
  jetstreamManager,
  NATS_HELM_CHART_VERSION,
  NATS_PASSWORDS_SECRET,
  type NatsConnection,
  natsConnectionOptions,
  natsHelmAuthValues,
  natsPermissions,
  provisionStreams,
} from "@headless-ops/bus";
import { natsNames } from "@headless-ops/contracts";
import { TestNatsServer } from "@headless-ops/testkit";
import { connect } from "@nats-io/transport-node";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { ofKind, render, repoRoot } from "./support/render.js";

/*
 * deploy/nats/helm-values.yaml + helm-values.auth.yaml, the values of the official NATS Helm chart
 * (nats-io/k8s, chart `nats`). `helm` is not installed here, so the chart is not rendered; the chart
 * ships no values.schema.json either, so there is no schema to validate against. Instead: the users
 * and permissions are the generator's (the same as nats-server.conf), every password comes from the
 * Secret, none is committed, and the authorization block, written out the way the chart writes
 * config.merge (JSON, "<< X >>" unquoted), runs on a real nats-server.
 */

const natsDir = join(repoRoot, "deploy", "nats");
const read = (file: string) => readFileSync(join(natsDir, file), "utf8");
const authText = read("helm-values.auth.yaml");

type EnvValue = string | { valueFrom: { secretKeyRef: { name: string; key: string } } };
type HelmUser = {
  user: string;
  password: string;
  permissions: { publish: { allow: string[] }; subscribe: { allow: string[] } };
};
type Values = {
  config: {
    merge?: { authorization?: { users: HelmUser[] } };
    jetstream: { enabled: boolean; fileStore: { dir: string } };
    monitor: { enabled: boolean };
  };
  container: { image: { tag: string }; env: Record<string, EnvValue> };
};

// biome-ignore lint/suspicious/noExplicitAny: values are arbitrary nested YAML.
type Tree = Record<string, any>;

/** Helm's merge of several `-f` files: maps merge key by key, the later file wins, lists are replaced. */
function helmMerge(...docs: Tree[]): Tree {
  const out: Tree = {};
  for (const doc of docs) {
    for (const [k, v] of Object.entries(doc)) {
      const isMap = (x: unknown) => typeof x === "object" && x !== null && !Array.isArray(x);
      out[k] = isMap(v) && isMap(out[k]) ? helmMerge(out[k], v) : v;
    }
  }
  return out;
}

const values = helmMerge(parse(read("helm-values.yaml")), parse(authText)) as Values;
const users = values.config.merge?.authorization?.users ?? [];

/** The chart's `nats.formatConfig`: the config as JSON, then `"<< X >>"` unquoted to `X`. */
function chartConfigText(config: Tree): string {
  return JSON.stringify(config, null, 2).replace(/"<<\s+(.*?)\s+>>"/g, "$1");
}

describe("deploy/nats Helm values", () => {
  it("helm-values.auth.yaml is exactly what the generator renders (run `npm run nats:config`)", () => {
    expect(authText).toBe(natsHelmAuthValues({ prefix: "" }));
  });

  it("carry the same users and permissions as the shipped nats-server.conf (one generator)", () => {
    expect(
      users.map((u) => ({
        user: u.user,
        password: u.password,
        publish: u.permissions.publish.allow,
        subscribe: u.permissions.subscribe.allow,
      })),
    ).toEqual(
      natsPermissions("").map((p) => ({
        user: p.user,
        password: `<< $${p.passwordVariable} >>`,
        publish: p.publish,
        subscribe: p.subscribe,
      })),
    );
    // The server config names the same users, in the same order.
    const confUsers = [...read("nats-server.conf").matchAll(/^\s*user: (\S+)$/gm)].map((m) => m[1]);
    expect(users.map((u) => u.user)).toEqual(confUsers);
  });

  it("give every user's password variable to the server from the Secret, and commit no password", () => {
    for (const p of natsPermissions("")) {
      expect(values.container.env[p.passwordVariable], p.user).toEqual({
        valueFrom: { secretKeyRef: { name: NATS_PASSWORDS_SECRET, key: p.passwordVariable } },
      });
    }
    for (const u of users) expect(u.password).toMatch(/^<< \$NATS_[A-Z]+_PASSWORD >>$/);
    // The only literal env value is the Go memory limit; nothing else looks like a credential.
    const literals = Object.entries(values.container.env).filter(([, v]) => typeof v === "string");
    expect(literals.map(([k]) => k)).toEqual(["GOMEMLIMIT"]);
    for (const file of ["helm-values.yaml", "helm-values.auth.yaml"]) {
      const text = read(file);
      expect(text, file).not.toMatch(
        /^\s*(password|token|pass)\s*:(?!\s*"<< \$NATS_[A-Z]+_PASSWORD >>"\s*$)/im,
      );
      expect(text, file).not.toMatch(/no_auth_user|dev-only/);
    }
  });

  it("use the Secret keys the application side reads: the same names, one per user", () => {
    // The services and the provisioning Job read NATS_PASSWORD from the same-named Secret in their
    // namespace; nats-server's copy (namespace nats) must hold the same keys (deploy/README.md).
    const keysUsed = new Set<string>();
    for (const o of [
      ...ofKind(render("overlays/prod"), "Deployment"),
      ...ofKind(render("overlays/prod"), "Job"),
    ]) {
      for (const c of o.spec.template.spec.containers) {
        for (const e of c.env ?? []) {
          const ref = e.valueFrom?.secretKeyRef;
          if (ref?.name === NATS_PASSWORDS_SECRET) keysUsed.add(ref.key);
        }
      }
    }
    const serverKeys = Object.values(values.container.env)
      .filter((v): v is Exclude<EnvValue, string> => typeof v !== "string")
      .map((v) => v.valueFrom.secretKeyRef.key);
    expect([...keysUsed].sort()).toEqual(serverKeys.filter((k) => k !== "NATS_MONITOR_PASSWORD").sort());
  });

  it("pin one chart version everywhere, and its nats-server image", () => {
    // Chart 2.14.2 (nats-io/k8s helm/charts/nats/Chart.yaml) ships nats:2.14.2-alpine, nats-server v2.14.2.
    const pinned = (text: string) => [...text.matchAll(/nats\/nats --version (\S+)/g)].map((m) => m[1]);
    const readme = readFileSync(join(repoRoot, "deploy", "README.md"), "utf8");
    const versions = [
      ...pinned(read("helm-values.yaml")),
      ...pinned(authText),
      ...pinned(readme),
      ...[
        ...readFileSync(join(repoRoot, "README.md"), "utf8").matchAll(/official Helm chart (\d\S*?),/g),
      ].map((m) => m[1]),
    ];
    expect(versions.length).toBeGreaterThanOrEqual(4);
    expect(new Set(versions)).toEqual(new Set([NATS_HELM_CHART_VERSION]));
    expect(values.container.image.tag).toBe(`${NATS_HELM_CHART_VERSION}-alpine`);
    // Every install command passes both files.
    for (const cmd of readme.matchAll(/helm upgrade --install nats[^`]*?(?=\n\s*(?:kubectl|```))/g)) {
      expect(cmd[0]).toContain("-f deploy/nats/helm-values.yaml -f deploy/nats/helm-values.auth.yaml");
    }
  });
});

describe("the Helm values' authorization on a real nats-server", () => {
  const open: NatsConnection[] = [];
  let server: TestNatsServer | undefined;

  afterAll(async () => {
    await Promise.allSettled(open.map((nc) => nc.close()));
    await server?.stop();
  });

  it("authenticates each service with its Secret password and enforces its permissions", async () => {
    // The Secret nats-passwords, and the container env the kubelet builds from container.env.
    const secret: Record<string, string> = Object.fromEntries(
      natsPermissions("").map((u) => [u.passwordVariable, `p${randomBytes(12).toString("hex")}`]),
    );
    const env: Record<string, string> = { SERVER_NAME: "nats-0" };
    for (const [name, v] of Object.entries(values.container.env)) {
      if (typeof v === "string") env[name] = v;
      else if (v.valueFrom.secretKeyRef.name === NATS_PASSWORDS_SECRET)
        env[name] = secret[v.valueFrom.secretKeyRef.key] as string;
    }
    server = await TestNatsServer.start({
      env,
      // What the chart writes: its own settings (server_name from the pod name) plus config.merge.
      config: (dir) =>
        chartConfigText({
          server_name: "<< $SERVER_NAME >>",
          port: 4222,
          jetstream: { store_dir: dir },
          ...values.config.merge,
        }),
    });
    const as = async (user: string, password = secret[`NATS_${user.toUpperCase()}_PASSWORD`] ?? "") => {
      // Once, no retries: resolves with the connection or rejects with the server's refusal.
      const settings = { NATS_URL: server?.url ?? "", NATS_USER: user, NATS_PASSWORD: password };
      const nc = await connect({
        ...natsConnectionOptions(settings, user),
        waitOnFirstConnect: false,
        maxReconnectAttempts: 0,
        timeout: 3_000,
      });
      open.push(nc);
      return nc;
    };
    await expect(as("api", "guessed")).rejects.toThrow(/Authorization Violation/i);
    await provisionStreams(await jetstreamManager(await as("provisioner")), "");
    const n = natsNames("");
    const api = jetstream(await as("api"));
    const payload = new TextEncoder().encode("{}");
    await api.publish(n.subjects.operationCreated, payload, { msgID: "helm-values" });
    await expect(api.publish(n.subjects.job("high"), payload)).rejects.toThrow(/permissions violation/i);
    const monitor = await jetstreamManager(await as("monitor"));
    expect((await monitor.streams.info(n.streams.operations)).state.messages).toBe(1);
    expect((await monitor.streams.info(n.streams.deviceJobs)).state.messages).toBe(0);
  });
});
