import { waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fanOutOperation } from "../src/fanout.js";
import {
  createOperation,
  drainJobs,
  type Env,
  newScheduler,
  operationRow,
  seedDevices,
  startEnv,
} from "./fixtures.js";

let env: Env;
let org101: string[];

beforeAll(async () => {
  env = await startEnv();
  org101 = [
    ...(await seedDevices(env.db, 101, 700, "router")),
    ...(await seedDevices(env.db, 101, 300, "switch")),
  ];
  await seedDevices(env.db, 102, 50, "router");
});
afterAll(() => env.close());

const sorted = (ids: string[]) => [...ids].sort((a, b) => Number(a) - Number(b));

describe("scheduler", () => {
  it("fans an operation out exactly once with two replicas racing for it", async () => {
    const id = await createOperation(env.db, { priority: "normal" });
    const a = newScheduler(env);
    const b = newScheduler(env);
    await a.start();
    await b.start();
    a.scheduler.wake();
    b.scheduler.wake();
    await waitFor(async () => ((await operationRow(env.db, id))?.fanout_done ? true : undefined), {
      what: "fan-out done",
    });
    await Promise.all([a.stop(), b.stop()]);

    const op = await operationRow(env.db, id);
    expect(op?.status).toBe("in_progress");
    expect(op?.total_devices).toBe(1000);
    const ledger = await env.db.pool.query(
      "SELECT count(*)::int AS n FROM operation_devices WHERE operation_id = $1",
      [id],
    );
    expect(ledger.rows[0].n).toBe(1000);

    const jobs = await drainJobs(env);
    const devices = jobs.flatMap((j) => j.deviceIds);
    expect(devices.length).toBe(1000);
    expect(sorted(devices)).toEqual(sorted(org101));
    expect(jobs.every((j) => j.subject.endsWith("ops.job.normal"))).toBe(true);
    expect(jobs[0]?.msgId).toBe(`job-${id}-${jobs[0]?.deviceIds[0]}-r1`);
    expect(jobs.every((j) => j.deviceIds.length <= 100)).toBe(true);
  });

  it("targets organizations ∩ device filters, or exactly the device_ids of a retry", async () => {
    const filtered = await createOperation(env.db, { orgs: [101, 102], types: ["switch"] });
    const retry = await createOperation(env.db, {
      orgs: [101],
      deviceIds: [org101[5], org101[9]] as string[],
    });
    const s = newScheduler(env);
    await s.start();
    await waitFor(async () => ((await operationRow(env.db, retry))?.fanout_done ? true : undefined));
    await waitFor(async () => ((await operationRow(env.db, filtered))?.fanout_done ? true : undefined));
    await s.stop();
    expect((await operationRow(env.db, filtered))?.total_devices).toBe(300);
    expect((await operationRow(env.db, retry))?.total_devices).toBe(2);
    const jobs = await drainJobs(env);
    expect(sorted(jobs.filter((j) => j.operationId === retry).flatMap((j) => j.deviceIds))).toEqual([
      org101[5],
      org101[9],
    ]);
  });

  it("resumes an interrupted fan-out from its cursor: only devices after it are sent", async () => {
    const id = await createOperation(env.db);
    const claimOnly = newScheduler(env, { fanoutConcurrency: 0 });
    await claimOnly.start();
    await waitFor(async () =>
      (await operationRow(env.db, id))?.status === "in_progress" ? true : undefined,
    );
    await claimOnly.stop();

    // As if a scheduler died after the pages up to the 400th device were acked: cursor set, not done.
    await env.db.pool.query("UPDATE operations SET fanout_cursor = $2 WHERE id = $1", [id, org101[399]]);
    const resumer = newScheduler(env, { pageSize: 250 });
    await resumer.start();
    await waitFor(async () => ((await operationRow(env.db, id))?.fanout_done ? true : undefined));
    await resumer.stop();
    const devices = (await drainJobs(env)).flatMap((j) => j.deviceIds);
    expect(sorted(devices)).toEqual(org101.slice(400));
    expect((await operationRow(env.db, id))?.fanout_cursor).toBe(org101[999]);
  });

  it("publishes valid jobs of the devices left when some were deleted after the claim, a whole page among them", async () => {
    await env.db.pool.query(
      "INSERT INTO organizations (id, name) VALUES (103, 'org-103') ON CONFLICT DO NOTHING",
    );
    const ids = await seedDevices(env.db, 103, 600, "router");
    const id = await createOperation(env.db, { orgs: [103] });
    const claimOnly = newScheduler(env, { fanoutConcurrency: 0 });
    await claimOnly.start();
    await waitFor(async () =>
      (await operationRow(env.db, id))?.status === "in_progress" ? true : undefined,
    );
    await claimOnly.stop();
    // Deleted through the API between the claim and the fan-out: the first page (250), one in the
    // middle, and the operation's last device.
    const gone = [...ids.slice(0, 250), ids[300] as string, ids[599] as string];
    await env.db.pool.query("DELETE FROM devices WHERE id = ANY($1::bigint[])", [gone]);

    const fanner = newScheduler(env, { pageSize: 250 });
    await fanner.start();
    await waitFor(async () => ((await operationRow(env.db, id))?.fanout_done ? true : undefined), {
      what: "fan-out done",
    });
    await fanner.stop();
    // Every job parses with the contract schema (drainJobs), and holds exactly the devices left.
    const devices = (await drainJobs(env)).flatMap((j) => j.deviceIds);
    expect(sorted(devices)).toEqual(ids.filter((d) => !gone.includes(d)));
    expect((await operationRow(env.db, id))?.fanout_cursor).toBe(ids[599]);
  });

  it("re-fans only non-terminal devices, with fresh message ids, after a requeue bumps the round", async () => {
    const id = await createOperation(env.db, { types: ["switch"] });
    const first = newScheduler(env);
    await first.start();
    await waitFor(async () => ((await operationRow(env.db, id))?.fanout_done ? true : undefined));
    await first.stop();
    expect((await drainJobs(env)).flatMap((j) => j.deviceIds)).toHaveLength(300);

    // 200 devices finished; the rest are stuck. Requeue as the status helpers do it.
    await env.db.pool.query(
      `UPDATE operation_devices SET status = 'succeeded'
        WHERE operation_id = $1 AND device_id IN (
          SELECT device_id FROM operation_devices WHERE operation_id = $1 ORDER BY device_id LIMIT 200)`,
      [id],
    );
    await env.db.pool.query(
      "UPDATE operations SET dispatch_round = dispatch_round + 1, fanout_cursor = NULL, fanout_done = false WHERE id = $1",
      [id],
    );
    const sweeper = newScheduler(env);
    await sweeper.start();
    await waitFor(async () => ((await operationRow(env.db, id))?.fanout_done ? true : undefined));
    await sweeper.stop();
    const jobs = await drainJobs(env);
    const pending = await env.db.pool.query<{ device_id: string }>(
      "SELECT device_id FROM operation_devices WHERE operation_id = $1 AND status = 'pending' ORDER BY device_id",
      [id],
    );
    expect(sorted(jobs.flatMap((j) => j.deviceIds))).toEqual(pending.rows.map((r) => r.device_id));
    expect(jobs.every((j) => j.msgId?.endsWith("-r2"))).toBe(true);
  });

  it("stops a fan-out at a page boundary on shutdown and records how far it got", async () => {
    const id = await createOperation(env.db);
    const abort = new AbortController();
    const s = newScheduler(env, { fanoutConcurrency: 0 });
    await s.start(); // claims, but may not fan out
    await waitFor(async () =>
      (await operationRow(env.db, id))?.status === "in_progress" ? true : undefined,
    );
    await s.stop();
    abort.abort();
    const deps = {
      pool: env.db.pool,
      js: env.js,
      names: env.names,
      log: env.log,
      metrics: env.metrics(),
      batchSize: 100,
      pageSize: 100,
      signal: abort.signal,
    };
    expect(await fanOutOperation(deps, id)).toBe("stopped");
    const partial = await operationRow(env.db, id);
    expect(partial?.fanout_done).toBe(false);
    expect(partial?.fanout_cursor).toBe(org101[99]);
    expect(await fanOutOperation({ ...deps, signal: new AbortController().signal }, id)).toBe("done");
    const devices = (await drainJobs(env)).flatMap((j) => j.deviceIds);
    expect(sorted(devices)).toEqual(org101);
  });

  it("claims due operations highest priority first and publishes each to its priority subject", async () => {
    const low = await createOperation(env.db, { priority: "low", types: ["switch"] });
    const high = await createOperation(env.db, { priority: "high", types: ["switch"] });
    const s = newScheduler(env, { fanoutConcurrency: 1 });
    await s.start();
    await waitFor(async () => ((await operationRow(env.db, low))?.fanout_done ? true : undefined));
    await s.stop();
    const [lowOp, highOp] = [await operationRow(env.db, low), await operationRow(env.db, high)];
    expect(Number(highOp?.started_at)).toBeLessThanOrEqual(Number(lowOp?.started_at));
    const jobs = await drainJobs(env);
    expect(jobs.filter((j) => j.operationId === high).every((j) => j.subject.endsWith("ops.job.high"))).toBe(
      true,
    );
    expect(jobs.filter((j) => j.operationId === low).every((j) => j.subject.endsWith("ops.job.low"))).toBe(
      true,
    );
  });

  it("waits for execute_at (database clock) and wakes on the due timer, not the sweep", async () => {
    const id = await createOperation(env.db, { dueInMs: 1_500 });
    const s = newScheduler(env, { sweepMs: 60_000 });
    await s.start();
    await new Promise((r) => setTimeout(r, 700));
    expect((await operationRow(env.db, id))?.status).toBe("scheduled");
    await waitFor(
      async () => ((await operationRow(env.db, id))?.status === "in_progress" ? true : undefined),
      {
        timeoutMs: 5_000,
      },
    );
    await s.scheduler.idle();
    await s.stop();
    await drainJobs(env);
  });

  it("completes an operation with no target devices at claim", async () => {
    const id = await createOperation(env.db, { orgs: [101], types: ["firewall"] });
    const s = newScheduler(env);
    await s.start();
    await waitFor(async () => ((await operationRow(env.db, id))?.status === "completed" ? true : undefined));
    await s.stop();
    const op = await operationRow(env.db, id);
    expect(op?.total_devices).toBe(0);
  });

  it("does not fan out a cancelled operation and enforces timeout_minutes on the sweep", async () => {
    const cancelled = await createOperation(env.db, { types: ["switch"] });
    const timedOut = await createOperation(env.db, { types: ["switch"], timeoutMinutes: 1 });
    const s = newScheduler(env, { fanoutConcurrency: 0 });
    await s.start();
    await waitFor(async () =>
      (await operationRow(env.db, timedOut))?.status === "in_progress" ? true : undefined,
    );
    await waitFor(async () =>
      (await operationRow(env.db, cancelled))?.status === "in_progress" ? true : undefined,
    );
    await s.stop();
    await env.db.pool.query("UPDATE operations SET cancel_requested_at = now() WHERE id = $1", [cancelled]);
    await env.db.pool.query("UPDATE operations SET deadline_at = now() - interval '1 second' WHERE id = $1", [
      timedOut,
    ]);
    const s2 = newScheduler(env);
    await s2.start();
    await waitFor(async () =>
      (await operationRow(env.db, timedOut))?.status === "failed" ? true : undefined,
    );
    await s2.scheduler.idle();
    await s2.stop();
    const op = await operationRow(env.db, timedOut);
    expect(op?.failed_devices).toBe(300);
    expect(op?.error_summary).toEqual({ operation_timeouts: 300 });
    const jobs = await drainJobs(env);
    expect(jobs.filter((j) => j.operationId === cancelled)).toEqual([]);
    expect((await operationRow(env.db, cancelled))?.fanout_done).toBe(false);
  });
});
