import { spawnSync } from "node:child_process";
import {
  createTestContext,
  freePort,
  repoRoot,
  startProcess,
  type TestContext,
  waitFor,
} from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * `npm start` without npm: the built launcher on free ports with one prober, against this file's
 * database and NATS prefix. It must come up, answer /readyz, and stop everything cleanly on
 * SIGTERM; when one of its services dies, it must stop the rest and exit non-zero. `--demo` seeds
 * a firmware baseline and a nightly schedule, once: a second demo start on the same database finds
 * them and adds none.
 */

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** `process started child=prober-1 childPid=1234` lines → name → pid. */
const childPids = (lines: string[]) =>
  new Map(
    lines.flatMap((l) => {
      const m = /process started child=(\S+) childPid=(\d+)/.exec(l);
      return m ? [[m[1] as string, Number(m[2])] as const] : [];
    }),
  );

type Page<T> = { count: number; results: T[] };
type Baseline = {
  id: string;
  organization_id: number;
  vendor: string;
  model_pattern: string;
  min_firmware: string;
};
type Schedule = {
  id: string;
  operation_type: string;
  cron: string;
  timezone: string;
  enabled: boolean;
  next_runs: string[];
};

/** The demo's token from its printed `export TOKEN=…` line. */
const demoToken = async (launcher: { lines: string[] }) => {
  const line = await waitFor(() => launcher.lines.find((l) => l.includes("export TOKEN=")), {
    timeoutMs: 30_000,
    what: "the demo's token",
  });
  return line.split("export TOKEN=")[1]?.trim() as string;
};

/** The baselines and schedules the demo token sees. */
async function complianceSeed(url: string, token: string) {
  const get = async <T>(path: string) => {
    const res = await fetch(`${url}${path}`, { headers: { authorization: `Bearer ${token}` } });
    expect(res.status, path).toBe(200);
    return (await res.json()) as Page<T>;
  };
  return {
    baselines: await get<Baseline>("/api/v1/compliance/baselines/"),
    schedules: await get<Schedule>("/api/v1/schedules/"),
  };
}

describe.sequential("launcher (npm start)", () => {
  let ctx: TestContext;

  beforeAll(async () => {
    ctx = await createTestContext();
  });

  afterAll(async () => {
    await ctx?.cleanup();
  });

  const launch = async (args: string[] = []) => {
    const port = await freePort();
    const launcher = startProcess({
      name: "launcher",
      script: "tools/launcher/dist/main.js",
      args,
      env: { ...ctx.env, LOG_LEVEL: "info", PORT: String(port), METRICS_PORT: "0", PROBER_REPLICAS: "1" },
      port,
    });
    await launcher.waitUntilReady({ timeoutMs: 45_000 });
    await waitFor(() => (launcher.lines.some((l) => l.includes("all services running")) ? true : undefined), {
      timeoutMs: 30_000,
      what: "the launcher's ready line",
    });
    return launcher;
  };

  it("runs every service with prefixed logs, seeds the demo, and stops them all on SIGTERM with exit 0", async () => {
    const launcher = await launch(["--demo"]);
    const pids = childPids(launcher.lines);
    expect([...pids.keys()]).toEqual(["api", "scheduler", "aggregator", "notifier", "prober-1"]);
    for (const name of pids.keys()) {
      expect(
        launcher.lines.some((l) => l.startsWith(`[${name}]`)),
        `a log line of ${name}`,
      ).toBe(true);
    }

    // --demo: the printed token works, the fleet is there, and the printed POST schedules an operation.
    const token = await demoToken(launcher);
    // A firmware baseline the simulator's older images violate, and a nightly schedule, printed.
    const seeded = await complianceSeed(launcher.url, token);
    expect(seeded.baselines.count).toBe(1);
    expect(seeded.baselines.results[0]).toMatchObject({
      organization_id: 101,
      vendor: "Cisco",
      model_pattern: "C9300-*",
      min_firmware: "17.12.3",
    });
    expect(seeded.schedules.count).toBe(1);
    const [schedule] = seeded.schedules.results as [Schedule];
    expect(schedule).toMatchObject({
      operation_type: "compliance_report",
      cron: "0 2 * * *",
      timezone: "Europe/Zurich",
      enabled: true,
    });
    expect(schedule.next_runs).toHaveLength(5);
    const printed = launcher.lines.join("\n");
    expect(printed).toContain(
      `firmware baseline #${seeded.baselines.results[0]?.id}: Cisco C9300-* at least 17.12.3`,
    );
    expect(printed).toContain(
      `nightly schedule #${schedule.id}: compliance_report "0 2 * * *" Europe/Zurich`,
    );
    expect(printed).toContain("npx headless-ops ops report ID > report.csv");
    const headers = { authorization: `Bearer ${token}`, "content-type": "application/json" };
    const devices = await fetch(`${launcher.url}/api/v1/devices/?page_size=1`, { headers });
    expect(devices.status).toBe(200);
    expect(((await devices.json()) as { count: number }).count).toBe(300);
    const post = await fetch(`${launcher.url}/api/v1/inventory_device_serial_headless_operation/`, {
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
    expect(created.target_device_count).toBeGreaterThan(50);

    // The demo fleet answers over real SNMP: the operation runs to the end, most devices report a
    // serial that lands in the inventory, and the misbehaving ones are classified, not lost.
    type Operation = {
      status: string;
      total_devices: number;
      processed_devices: number;
      failed_devices: number;
      operation_details: { error_summary: Record<string, number> };
    };
    const monitor = `${launcher.url}/api/v1/inventory_device_serial_headless_operation/?id=${created.id}`;
    const done = await waitFor(
      async () => {
        const res = await fetch(monitor, { headers });
        const op = ((await res.json()) as { results: Operation[] }).results[0];
        return op && op.status !== "scheduled" && op.status !== "in_progress" ? op : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 250, what: "the demo operation to finish" },
    );
    expect(done.status).toBe("completed_with_errors");
    expect(done.processed_devices).toBe(done.total_devices);
    expect(done.total_devices).toBe(created.target_device_count);
    expect(done.failed_devices).toBeGreaterThan(0);
    expect(done.failed_devices).toBeLessThan(done.total_devices / 4);
    const failures = Object.values(done.operation_details.error_summary).reduce((a, b) => a + b, 0);
    expect(failures).toBe(done.failed_devices);
    // The printed `headless-ops ops watch` line works as pasted (with the id): exit 2, with errors.
    const watchLine = launcher.lines.find((l) => l.includes("npx headless-ops ops watch ID"));
    expect(watchLine, "the demo's watch line").toBeDefined();
    const watch = spawnSync("sh", ["-c", String(watchLine).replace(" ID ", ` ${created.id} `)], {
      cwd: repoRoot,
      env: { ...process.env, TOKEN: token },
      encoding: "utf8",
      timeout: 60_000,
    });
    expect(watch.status, watch.stderr).toBe(2);
    expect(watch.stdout).toContain(`operation ${created.id} completed_with_errors`);
    const synced = await fetch(
      `${launcher.url}/api/v1/inventory_device_serial_headless_operation/${created.id}/devices/?status=succeeded&page_size=200`,
      { headers },
    );
    const rows = ((await synced.json()) as { count: number; results: { observed?: { serial?: string } }[] })
      .results;
    expect(rows.length).toBe(done.total_devices - done.failed_devices);
    expect(rows.every((r) => typeof r.observed?.serial === "string" && r.observed.serial.length > 0)).toBe(
      true,
    );

    await launcher.stop({ timeoutMs: 30_000 });
    expect([...pids.values()].filter(alive)).toEqual([]);
    expect(launcher.tail(3)).toContain("all services stopped clean=true");
  });

  it("finds the demo's baseline and schedule on a second start with the same data, and adds none", async () => {
    const launcher = await launch(["--demo"]);
    const token = await demoToken(launcher);
    const seeded = await complianceSeed(launcher.url, token);
    expect(seeded.baselines.count).toBe(1);
    expect(seeded.schedules.count).toBe(1);
    expect(launcher.lines.some((l) => /demo firmware baseline .*outcome=exists/.test(l))).toBe(true);
    expect(launcher.lines.some((l) => /demo schedule .*outcome=exists/.test(l))).toBe(true);
    expect(launcher.lines.join("\n")).toContain(`nightly schedule #${seeded.schedules.results[0]?.id}:`);
    await launcher.stop({ timeoutMs: 30_000 });
  });

  it("stops everything and exits non-zero when a service dies", async () => {
    const launcher = await launch();
    const pids = childPids(launcher.lines);
    process.kill(pids.get("prober-1") as number, "SIGKILL");
    const exit = await launcher.exited;
    expect(exit.code).toBe(1);
    expect(launcher.lines.some((l) => /process died, stopping everything child=prober-1/.test(l))).toBe(true);
    expect([...pids.values()].filter(alive)).toEqual([]);
  });
});
