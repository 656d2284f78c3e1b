import { createDb, type DbHandle } from "@headless-ops/db";
import {
  createTestContext,
  freePort,
  ProcessGroup,
  randomNatsPrefix,
  runScript,
  type TestContext,
} from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NatsUserName, type SecureNats, startSecureNats } from "../security/support/secure-nats.js";
import { ApiClient, isFinished } from "./support/api-client.js";
import { ledgerCounts, seedDevices, seedOrganizations } from "./support/fleet.js";

/*
 * The whole pipeline as real processes on a nats-server started with the shipped configuration
 * (deploy/nats, same generator, this test's prefix): the provisioning identity creates the streams,
 * then the API, scheduler, prober and aggregator each connect as their own least-privilege user.
 */

let ctx: TestContext;
let nats: SecureNats;
let db: DbHandle;
let monitorPort: number;
const group = new ProcessGroup();

function envFor(user: NatsUserName, extra: Record<string, string> = {}): Record<string, string> {
  return { ...ctx.env, ...nats.env(user), ...extra };
}

beforeAll(async () => {
  ctx = await createTestContext();
  monitorPort = await freePort();
  nats = await startSecureNats({ prefix: randomNatsPrefix(), monitorPort });
  const provision = await runScript({
    script: "libs/bus/dist/cli.js",
    args: ["provision"],
    env: envFor("provisioner"),
  });
  expect(provision.code, provision.stdout + provision.stderr).toBe(0);
  db = createDb({ url: ctx.databaseUrl, max: 2, applicationName: "e2e-nats-auth" });
  await Promise.all([
    group.start("api", { env: envFor("api") }),
    group.start("scheduler", { env: envFor("scheduler") }),
    group.start("prober", { env: envFor("prober") }),
    group.start("aggregator", { env: envFor("aggregator") }),
  ]);
});

afterAll(async () => {
  try {
    await group.stopAll();
  } finally {
    await db?.close();
    await nats?.stop();
    await ctx?.cleanup();
  }
});

describe("pipeline with one NATS user per service", () => {
  it("runs an operation to completed, every service connected as its own user", async () => {
    await seedOrganizations(db.pool, [301]);
    await seedDevices(db.pool, { organization: 301, label: "auth-ok", count: 40 });
    const token = await runScript({
      script: "services/api/dist/admin.js",
      args: ["token", "create", "--org", "301", "--role", "admin", "--name", "e2e-nats-auth"],
      env: envFor("api"),
    });
    expect(token.code, token.stderr).toBe(0);
    const api = new ApiClient(group.get("api").url, token.stdout.trim().split("\n").pop()?.trim() ?? "");

    const created = await api.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [301],
      schedule: { priority: "high" },
    });
    const done = await api.pollOperation(created.id, isFinished, { timeoutMs: 45_000 });
    expect(done).toMatchObject({
      status: "completed",
      total_devices: 40,
      processed_devices: 40,
      failed_devices: 0,
    });
    expect(await ledgerCounts(db.pool, done.id)).toEqual({ succeeded: 40 });

    // The server's own view: who is connected, under which user.
    const connz = (await (await fetch(`http://127.0.0.1:${monitorPort}/connz?auth=true`)).json()) as {
      connections: { name: string; authorized_user: string }[];
    };
    const users = Object.fromEntries(connz.connections.map((c) => [c.name, c.authorized_user]));
    expect(users).toEqual({ api: "api", scheduler: "scheduler", prober: "prober", aggregator: "aggregator" });
    // No permission was ever refused to a service doing its job.
    expect(nats.server.output).not.toMatch(/Permissions Violation/i);
  });
});
