import { natsNames } from "@headless-ops/contracts";
import { runScript, TestNatsCluster } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../e2e/support/api-client.js";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario, sleep } from "./support/scenario.js";
import {
  type FaultStack,
  faultEnv,
  startFaultStack,
  terminalRows,
  waitForProgress,
} from "./support/stack.js";

/*
 * Scenario 10: the pipeline on a three-node JetStream cluster (test-owned nats-servers on loopback,
 * streams at 3 replicas as in prod; every service has the three URLs in NATS_URL). Mid-operation the
 * node leading the DEVICE_JOBS stream is SIGKILLed: the two others elect a new leader, the services on
 * that node reconnect to another, and publishes and pulls resume; the node then comes back on its
 * ports with its store and catches up. Nothing is lost or counted twice.
 */
// About 25 s of probing rather than 10: two kills, each 5 s down plus an election, must both land
// while the operation runs, which 10 s did not leave room for on a quiet machine. Slower devices
// (50 ms) rather than a longer target, as the concurrency floor of 4 would cap a 20 ms fleet at 12 s.
const bounded = faultProfile(process.env, { ciDevices: 5_000 });
const profile = bounded.name === "ci" ? { ...bounded, latencyMs: 50, targetSeconds: 30 } : bounded;
const PROBERS = 2;
const DOWN_MS = 5_000;

/** Logs in to the API with a token of the fleet's organization (the admin CLI, as an operator would). */
async function apiClient(stack: FaultStack, url: string, organization: number): Promise<ApiClient> {
  const token = await runScript({
    script: "services/api/dist/admin.js",
    args: ["token", "create", "--org", String(organization), "--role", "admin", "--name", "faults"],
    env: stack.env,
  });
  expect(token.code, token.stderr).toBe(0);
  return new ApiClient(url, token.stdout.trim().split("\n").pop()?.trim() ?? "");
}

/**
 * Kills the DEVICE_JOBS leader, waits for the survivors' new leader, keeps it down, brings it back.
 * `folded` tells how far the operation was at the kill (the fault must land mid-operation).
 */
async function killJobsLeader(
  cluster: TestNatsCluster,
  stream: string,
  folded: () => Promise<number>,
  devices: number,
): Promise<string> {
  const leader = await cluster.waitForStreamLeader(stream);
  const at = await folded();
  expect(at, "the kill lands before the operation ends").toBeLessThan(devices);
  const killedAt = performance.now();
  await cluster.kill(leader);
  const next = await cluster.waitForStreamLeader(stream, { not: leader, timeoutMs: 60_000 });
  const elected = (performance.now() - killedAt) / 1000;
  await sleep(Math.max(0, DOWN_MS - (performance.now() - killedAt)));
  await cluster.restart(leader);
  return `${cluster.nameOf(leader)} at ${at.toLocaleString("en-US")} folded (${cluster.nameOf(next)} led after ${elected.toFixed(1)} s)`;
}

describe("faults: SIGKILL the DEVICE_JOBS stream leader of a three-node NATS cluster", () => {
  let cluster: TestNatsCluster;
  let stack: FaultStack;
  let api: ApiClient | undefined;

  beforeAll(async () => {
    cluster = await TestNatsCluster.start({ size: 3 });
    stack = await startFaultStack({
      natsUrl: cluster.url,
      replicas: 3,
      env: faultEnv(profile, proberConcurrency(profile, PROBERS)),
    });
    // Five services and three servers start at once on a loaded 2-core machine: a longer wait for ready.
    const start = async (service: "api" | "scheduler" | "aggregator" | "prober", name: string) => {
      const proc = await stack.start(service, name, { ready: false });
      await proc.waitUntilReady({ timeoutMs: 120_000 });
    };
    await Promise.all([
      start("api", "api"),
      start("scheduler", "scheduler"),
      start("aggregator", "aggregator"),
      ...Array.from({ length: PROBERS }, (_, i) => start("prober", `prober-${i}`)),
    ]);
  });

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      await cluster?.stop();
    }
  });

  it(
    "loses and double-counts no device",
    async () => {
      const jobs = natsNames(stack.natsPrefix).streams.deviceJobs;
      await runOperationScenario({
        id: "10-nats-cluster",
        title: "SIGKILL the DEVICE_JOBS stream leader of a 3-node NATS cluster (R3), bring it back",
        profile,
        stack,
        // Through the API's POST: its outbox relay publishes operation.created to the cluster too.
        create: async (fleet) => {
          const apiUrl = stack.running("api")[0]?.url ?? "";
          api = await apiClient(stack, apiUrl, fleet.organization);
          const created = await api.createOperation({
            operation_type: "bulk_serial_sync",
            target_organizations: [fleet.organization],
            device_filters: {},
            schedule: { execute_at: new Date().toISOString(), priority: "normal" },
            options: { update_firmware_info: true, timeout_minutes: 30 },
          });
          return created.id;
        },
        inject: async (operationId, fleet) => {
          const kills = profile.repeats;
          const killed: string[] = [];
          for (let i = 0; i < kills; i++) {
            await waitForProgress(stack.db.pool, operationId, fleet.devices, (i + 1) / (kills + 2));
            const folded = () => terminalRows(stack.db.pool, operationId);
            killed.push(await killJobsLeader(cluster, jobs, folded, fleet.devices));
          }
          return {
            faults: `${kills} × SIGKILL of the DEVICE_JOBS leader, ${DOWN_MS / 1000} s down: ${killed.join(", ")}`,
            count: kills,
          };
        },
      });
      // The API reports what the ledger says, and every service is still up on the cluster.
      const op = await api?.operation(
        (await stack.db.pool.query<{ id: string }>("SELECT id::text FROM operations")).rows[0]?.id ?? "",
      );
      expect(op?.status).toBe("completed_with_errors");
      expect(op?.total_devices).toBe(profile.devices);
      for (const p of stack.group.processes)
        if (!p.running) throw new Error(`${p.name} exited:\n${p.tail()}`);
    },
    scenarioTimeoutMs(profile),
  );
});
