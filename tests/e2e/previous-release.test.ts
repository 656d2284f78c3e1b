import { join } from "node:path";
import { connectNats, jetstreamManager, provisionStreams } from "@headless-ops/bus";
import { createLogger, freePort } from "@headless-ops/runtime";
import {
  createTestContext,
  runScript,
  type ServiceProcess,
  startProcess,
  type TestContext,
} from "@headless-ops/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient, isFinished } from "./support/api-client.js";
import { seedDevices, seedOrganizations } from "./support/fleet.js";
import { buildPreviousRelease, previousReleaseCommit } from "./support/previous-release.js";

/*
 * A rolling upgrade runs the previous release on the schema this tree migrates to. The previous
 * release (the last commit with one migration fewer) is built in a temporary worktree; its four
 * services run against a database migrated by this tree and must complete an operation.
 */

const root = join(import.meta.dirname, "..", "..");
const commit = previousReleaseCommit(root);

describe.runIf(commit)("the previous release on this tree's schema", () => {
  let ctx: TestContext;
  let pool: pg.Pool;
  let prev: ReturnType<typeof buildPreviousRelease>;
  const procs: ServiceProcess[] = [];

  beforeAll(async () => {
    prev = buildPreviousRelease(root, commit as string);
    ctx = await createTestContext();
    pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 2 });
    const nc = await connectNats({
      url: ctx.natsUrl,
      name: "prev",
      log: createLogger("prev", { LOG_LEVEL: "warn", LOG_PRETTY: false }),
    });
    await provisionStreams(await jetstreamManager(nc), ctx.natsPrefix, 1);
    await nc.close();
  }, 300_000);

  afterAll(async () => {
    await Promise.allSettled(procs.map((p) => p.stop()));
    await pool?.end();
    await ctx?.cleanup();
    prev?.remove();
  });

  const start = async (service: string) => {
    const port = await freePort();
    const portVar = service === "api" ? "PORT" : "METRICS_PORT";
    const proc = startProcess({
      name: `prev-${service}`,
      script: join(prev.dir, `services/${service}/dist/main.js`),
      env: { ...ctx.env, [portVar]: String(port), HOST: "127.0.0.1" },
      port,
    });
    procs.push(proc);
    await proc.waitUntilReady();
    return proc;
  };

  it("completes an operation with its api, scheduler, prober and aggregator", async () => {
    const applied = await pool.query("SELECT migrations FROM schema_version");
    expect(applied.rows[0].migrations).toBeGreaterThan(0);
    await seedOrganizations(pool, [401]);
    await seedDevices(pool, { organization: 401, label: "prev", count: 20 });
    const [api] = await Promise.all([start("api"), start("scheduler"), start("prober"), start("aggregator")]);
    const res = await runScript({
      script: join(prev.dir, "services/api/dist/admin.js"),
      args: ["token", "create", "--org", "401", "--role", "admin", "--name", "prev"],
      env: ctx.env,
    });
    const token = res.stdout.trim().split("\n").pop()?.trim() ?? "";
    expect(res.code).toBe(0);
    const client = new ApiClient((api as ServiceProcess).url, token);
    const created = await client.createOperation({
      operation_type: "bulk_serial_sync",
      target_organizations: [401],
      schedule: { execute_at: new Date().toISOString(), priority: "normal" },
    });
    const done = await client.pollOperation(created.id, isFinished, { timeoutMs: 60_000 });
    expect(done).toMatchObject({ status: "completed", processed_devices: 20, failed_devices: 0 });
  });
});
