import { randomBytes } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TestNatsServer } from "./nats-server.js";
import { freePort, waitFor } from "./services.js";

/** One node's fixed addresses: the same ports and store on every restart, as a pod keeps its PVC. */
type NodePorts = { name: string; client: number; cluster: number; monitor: number; storeDir: string };

/** What a node's `/jsz` reports about the meta group and (with `?streams=true`) each stream's group. */
type Jsz = {
  meta_cluster?: { leader?: string; cluster_size?: number };
  account_details?: { stream_detail?: { name: string; cluster?: { leader?: string } }[] }[];
};

function nodeConfig(node: NodePorts, clusterName: string, all: NodePorts[]): string {
  const routes = all
    .filter((n) => n.name !== node.name)
    .map((n) => `nats-route://127.0.0.1:${n.cluster}`)
    .join(", ");
  return `server_name: ${node.name}
jetstream { store_dir: ${JSON.stringify(node.storeDir)} }
cluster {
  name: ${clusterName}
  listen: 127.0.0.1:${node.cluster}
  routes: [${routes}]
}
`;
}

/**
 * A JetStream cluster owned by one test: `size` nats-servers on loopback, each a `TestNatsServer`
 * with its own client, route and monitoring ports and its own store under one temporary folder,
 * routes to the others and a random cluster name. `start()` returns once the meta group has a
 * leader, so streams at R3 can be created at once. `kill(node)` / `restart(node)` keep the node's
 * ports and store, as a crashed pod that comes back with its volume.
 */
export class TestNatsCluster {
  private constructor(
    readonly name: string,
    readonly dir: string,
    readonly nodes: TestNatsServer[],
  ) {}

  static async start(opts: { size?: number } = {}): Promise<TestNatsCluster> {
    const size = opts.size ?? 3;
    const name = `ho-${randomBytes(3).toString("hex")}`;
    const dir = mkdtempSync(join(tmpdir(), "ho-nats-cluster-"));
    const ports: NodePorts[] = [];
    for (let i = 1; i <= size; i++) {
      const storeDir = join(dir, `n${i}`);
      mkdirSync(storeDir);
      ports.push({
        name: `n${i}`,
        client: await freePort(),
        cluster: await freePort(),
        monitor: await freePort(),
        storeDir,
      });
    }
    // Started together: a node waits for its routes before JetStream can elect a meta leader.
    const started = await Promise.allSettled(
      ports.map((p) =>
        TestNatsServer.start({
          config: nodeConfig(p, name, ports),
          port: p.client,
          monitorPort: p.monitor,
          storeDir: p.storeDir,
        }),
      ),
    );
    const nodes = started.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
    const cluster = new TestNatsCluster(name, dir, nodes);
    const failed = started.find((s) => s.status === "rejected");
    if (failed) {
      await cluster.stop();
      throw failed.reason;
    }
    await cluster.waitForMetaLeader();
    return cluster;
  }

  /** Every node's client URL, comma-separated: the `NATS_URL` of a service on this cluster. */
  get url(): string {
    return this.nodes.map((n) => n.url).join(",");
  }

  /** The node whose `server_name` is `name` (n1, n2, …). */
  node(name: string): TestNatsServer {
    const i = Number(name.replace(/^n/, "")) - 1;
    const node = this.nodes[i];
    if (!node) throw new Error(`no node ${name} in cluster ${this.name}`);
    return node;
  }

  /** The server_name of a node, as JetStream reports leaders. */
  nameOf(node: TestNatsServer): string {
    return `n${this.nodes.indexOf(node) + 1}`;
  }

  private async jsz(node: TestNatsServer, query = ""): Promise<Jsz | undefined> {
    if (!node.running || node.monitoringPort === undefined) return undefined;
    const res = await fetch(`http://127.0.0.1:${node.monitoringPort}/jsz${query}`, {
      signal: AbortSignal.timeout(3_000),
    }).catch(() => undefined);
    return res?.ok ? ((await res.json()) as Jsz) : undefined;
  }

  /** The meta leader's name as the running nodes agree on it (undefined while there is none). */
  async metaLeader(): Promise<string | undefined> {
    const seen = await Promise.all(this.nodes.map((n) => this.jsz(n)));
    const leaders = new Set(seen.flatMap((j) => (j ? [j.meta_cluster?.leader] : [])));
    const [leader] = leaders;
    return leaders.size === 1 && leader ? leader : undefined;
  }

  /** Waits until every running node names the same meta leader. */
  async waitForMetaLeader(timeoutMs = 30_000): Promise<string> {
    return waitFor(() => this.metaLeader(), {
      timeoutMs,
      intervalMs: 100,
      what: `a JetStream meta leader in cluster ${this.name}`,
    });
  }

  /** The node leading `stream`'s replica group, from the running nodes' `/jsz?streams=true`. */
  async streamLeader(stream: string): Promise<TestNatsServer | undefined> {
    for (const node of this.nodes) {
      const jsz = await this.jsz(node, "?streams=true");
      for (const account of jsz?.account_details ?? []) {
        const leader = account.stream_detail?.find((s) => s.name === stream)?.cluster?.leader;
        if (leader) return this.node(leader);
      }
    }
    return undefined;
  }

  /** Waits for a leader of `stream` other than `not` (after `not` was killed: the group re-elected). */
  async waitForStreamLeader(stream: string, opts: { not?: TestNatsServer; timeoutMs?: number } = {}) {
    return waitFor(
      async () => {
        const leader = await this.streamLeader(stream);
        return leader && leader !== opts.not && leader.running ? leader : undefined;
      },
      { timeoutMs: opts.timeoutMs ?? 30_000, intervalMs: 100, what: `a new leader of ${stream}` },
    );
  }

  /** SIGKILLs one node (a crash: no clean shutdown, no leadership hand-off). */
  async kill(node: TestNatsServer): Promise<void> {
    await node.down("SIGKILL");
  }

  /** Starts a stopped node again on its ports with its store, and waits until the meta group agrees again. */
  async restart(node: TestNatsServer): Promise<void> {
    await node.restart();
    await this.waitForMetaLeader();
  }

  async stop(): Promise<void> {
    await Promise.allSettled(this.nodes.map((n) => n.down("SIGTERM")));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
