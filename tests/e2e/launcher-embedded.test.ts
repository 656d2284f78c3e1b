import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort, type ServiceProcess, startProcess, waitFor } from "@headless-ops/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leftoverPid, stopLeftover } from "../../tools/launcher/src/embedded/leftover.js";

/*
 * `npm start -- --demo` on a machine with nothing running: the launcher gets a port plan of its own
 * (DEFAULT_POSTGRES_PORT / DEFAULT_NATS_PORT on free ports, never the real services' 5432/4222) and no
 * DATABASE_URL or NATS_URL, so nothing answers at its default URLs. It must embed PostgreSQL and start
 * nats-server, run the demo operation to the end over them, stop everything with exit 0 (the embedded
 * servers too), and a second start must find the same data.
 */

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `process started child=api childPid=1` and `embedded … running pid=2` lines → name → pid. */
const pidsOf = (lines: string[]) =>
  new Map(
    lines.flatMap((l) => {
      const child = /process started child=(\S+) childPid=(\d+)/.exec(l);
      if (child) return [[child[1] as string, Number(child[2])] as const];
      const embedded = /embedded (PostgreSQL|NATS) .*running serverPid=(\d+)/.exec(l);
      return embedded ? [[embedded[1] as string, Number(embedded[2])] as const] : [];
    }),
  );

type Operation = {
  id: string;
  status: string;
  total_devices: number;
  processed_devices: number;
  failed_devices: number;
};

describe.sequential("launcher with nothing installed (embedded Postgres and NATS)", () => {
  let dataDir: string;
  let plan: Record<string, string>;
  const base = "/api/v1/inventory_device_serial_headless_operation/";

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), "headless-ops-embedded-"));
    plan = {
      DEFAULT_POSTGRES_PORT: String(await freePort()),
      DEFAULT_NATS_PORT: String(await freePort()),
      EMBEDDED_DATA_DIR: dataDir,
      // Every demo device answers, so the demo operation must end `completed` (not with errors).
      DEMO_FAULT_RATE: "0",
    };
  });

  afterAll(async () => {
    // A failed test may leave a launcher killed without stopping its servers: stop them by pid file.
    // (Only a pid whose command names the data directory: a stale pid file never hits another process.)
    for (const pidFile of ["postgres/data/postmaster.pid", "nats/nats-server.pid"]) {
      const pid = await leftoverPid(join(dataDir, pidFile), dataDir);
      if (pid !== undefined) await stopLeftover(pid, "SIGINT", 30_000);
    }
    await rm(dataDir, { recursive: true, force: true });
  });

  /** The launcher, ready, with the pids of its services and embedded servers (read before the log rolls). */
  const launch = async (args: string[]): Promise<{ launcher: ServiceProcess; pids: Map<string, number> }> => {
    const port = await freePort();
    const launcher = startProcess({
      name: "launcher",
      script: "tools/launcher/dist/main.js",
      args,
      env: { ...plan, LOG_LEVEL: "info", PORT: String(port), METRICS_PORT: "0", PROBER_REPLICAS: "1" },
      port,
    });
    await launcher.waitUntilReady({ timeoutMs: 120_000 });
    await waitFor(() => (launcher.lines.some((l) => l.includes("all services running")) ? true : undefined), {
      timeoutMs: 30_000,
      what: "the launcher's ready line",
    });
    return { launcher, pids: pidsOf(launcher.lines) };
  };

  /** SIGTERM: exit 0, every service and both embedded servers gone. */
  const stopCleanly = async ({ launcher, pids }: { launcher: ServiceProcess; pids: Map<string, number> }) => {
    expect([...pids.keys()]).toEqual(expect.arrayContaining(["PostgreSQL", "NATS", "api", "prober-1"]));
    await launcher.stop({ timeoutMs: 60_000 });
    expect([...pids].filter(([, pid]) => alive(pid))).toEqual([]);
    expect(launcher.tail(5)).toMatch(/embedded services stopped nats=true postgres=true/);
  };

  let token = "";
  let operationId = "";

  // initdb, two launches and the demo take ~40 s on an idle machine; much longer on a loaded one.
  it("comes up embedded, runs the demo operation to completed and stops cleanly", {
    timeout: 300_000,
  }, async () => {
    const run = await launch(["--demo"]);
    const { launcher } = run;
    const out = launcher.lines.join("\n");
    expect(out).toMatch(/backing services: embedded where nothing answered postgres=embedded nats=embedded/);
    expect(out).toMatch(/embedded PostgreSQL running .*created=true/);
    expect(existsSync(join(dataDir, "postgres", "data", "PG_VERSION"))).toBe(true);
    expect(existsSync(join(dataDir, "nats", "jetstream"))).toBe(true);
    // No password in the log.
    expect(out).not.toMatch(/postgres:\/\/[^@\s]+:[^@\s]+@/);
    // The services' role reads and writes rows but cannot change the schema (README "Database roles").
    const passwords = JSON.parse(await readFile(join(dataDir, "postgres", "passwords.json"), "utf8"));
    const app = new pg.Client({
      connectionString: `postgres://headless_ops_app:${encodeURIComponent(passwords.app)}@127.0.0.1:${plan.DEFAULT_POSTGRES_PORT}/headless_ops`,
    });
    await app.connect();
    try {
      const role = await app.query(
        "SELECT rolsuper, rolcreaterole, rolcreatedb FROM pg_roles WHERE rolname = current_user",
      );
      expect(role.rows[0]).toEqual({ rolsuper: false, rolcreaterole: false, rolcreatedb: false });
      expect(
        (await app.query("SELECT count(*)::int AS n FROM organizations")).rows[0].n,
      ).toBeGreaterThanOrEqual(0);
      await expect(app.query("CREATE TABLE not_allowed (id int)")).rejects.toMatchObject({ code: "42501" });
    } finally {
      await app.end();
    }

    const tokenLine = await waitFor(() => launcher.lines.find((l) => l.includes("export TOKEN=")), {
      timeoutMs: 60_000,
      what: "the demo's token",
    });
    token = tokenLine.split("export TOKEN=")[1]?.trim() ?? "";
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const post = await fetch(`${launcher.url}${base}`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        operation_type: "bulk_serial_sync",
        target_organizations: [101, 102, 103],
        device_filters: { types: ["router", "switch"], status: ["active", "pending"] },
      }),
    });
    expect(post.status).toBe(201);
    const created = (await post.json()) as { id: string; target_device_count: number };
    operationId = created.id;
    const done = await waitFor(
      async () => {
        const res = await fetch(`${launcher.url}${base}?id=${created.id}`, { headers });
        const op = ((await res.json()) as { results: Operation[] }).results[0];
        return op && op.status !== "scheduled" && op.status !== "in_progress" ? op : undefined;
      },
      { timeoutMs: 90_000, intervalMs: 500, what: "the demo operation to finish" },
    );
    // With DEMO_FAULT_RATE=0 every device answers (by default 1 in 10 misbehaves on purpose, as in
    // tests/e2e/launcher.test.ts, and the operation completes with errors).
    expect(done.status).toBe("completed");
    expect(done.failed_devices).toBe(0);
    expect(done.processed_devices).toBe(done.total_devices);
    expect(done.total_devices).toBe(created.target_device_count);

    await stopCleanly(run);
  });

  it("reuses the data directory on the next start, also after a launcher killed with SIGKILL", {
    timeout: 300_000,
  }, async () => {
    const check = async (launcher: ServiceProcess) => {
      expect(launcher.lines.join("\n")).toMatch(/embedded PostgreSQL running .*created=false/);
      // The token and the operation of the first run are still there.
      const res = await fetch(`${launcher.url}${base}?id=${operationId}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      expect(res.status).toBe(200);
      const op = ((await res.json()) as { results: Operation[] }).results[0];
      expect(op?.status).toBe("completed");
    };
    const killed = await launch([]);
    await check(killed.launcher);
    // kill -9: the launcher cannot stop its embedded servers, which keep running on the default ports.
    await killed.launcher.kill();
    const orphans = ["PostgreSQL", "NATS"].map((name) => killed.pids.get(name) as number);
    expect(orphans.filter(alive)).toHaveLength(2);
    // Its services are orphans too (each in its own process group, their log pipe gone): this test
    // kills them itself; only the embedded servers are the next launcher's business.
    const services = [...killed.pids].filter(([name]) => !["PostgreSQL", "NATS"].includes(name));
    for (const [, pid] of services) process.kill(pid, "SIGKILL");
    await waitFor(() => (services.some(([, pid]) => alive(pid)) ? undefined : true), {
      timeoutMs: 30_000,
      what: "the killed launcher's services to stop",
    });
    // The next start recognises them by their pid files, stops them and starts its own on the same data.
    const run = await launch([]);
    expect(run.launcher.lines.join("\n")).toMatch(
      /stopping the embedded PostgreSQL an earlier run left running/,
    );
    expect(orphans.filter(alive)).toEqual([]);
    await check(run.launcher);
    await stopCleanly(run);
  });

  it("says how to get nats-server, and exits non-zero, when there is none", async () => {
    const emptyDir = await mkdtemp(join(tmpdir(), "headless-ops-no-nats-"));
    try {
      const launcher = startProcess({
        name: "launcher",
        script: "tools/launcher/dist/main.js",
        env: {
          // A port plan of its own: whatever an earlier test left behind cannot answer there.
          DEFAULT_POSTGRES_PORT: String(await freePort()),
          DEFAULT_NATS_PORT: String(await freePort()),
          EMBEDDED_DATA_DIR: emptyDir,
          NATS_SERVER_BIN: join(emptyDir, "nats-server"),
          PORT: "0",
          METRICS_PORT: "0",
        },
      });
      const exit = await launcher.exited;
      expect(exit.code).toBe(1);
      const out = launcher.lines.join("\n");
      expect(out).toContain("apt install nats-server");
      expect(out).toContain("brew install nats-server");
      expect(out).toContain("docker run -p 4222:4222 nats -js");
      // It checks before starting anything: no Postgres was embedded for nothing.
      expect(existsSync(join(emptyDir, "postgres"))).toBe(false);
    } finally {
      await rm(emptyDir, { recursive: true, force: true });
    }
  });
});
