/**
 * `headless-ops` against the real services as processes (api, scheduler, aggregator, prober):
 * create → watch to completed (exit 0), a run that ends with errors (exit 2), failures --json,
 * cancel, a dry run's summary, a report streamed to a file byte for byte, devices import of a CSV
 * then list, and an API error printed without a stack trace.
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiClient, OPERATIONS } from "../e2e/support/api-client.js";
import { seedDevices, seedOrganizations } from "../e2e/support/fleet.js";
import { type Stack, startStack } from "../e2e/support/stack.js";
import { CLI, runCli } from "./support.js";

let stack: Stack;
let api: ApiClient;
let cli: { url: string; token: string };
const OK_ORG = 801;
const MIXED_ORG = 802;
const SLOW_ORG = 803;
const IMPORT_ORG = 804;
const DRY_ORG = 805; // 12 simulated devices and 2 SNMP ones without an address

beforeAll(async () => {
  stack = await startStack({ probers: 1 });
  await seedOrganizations(stack.db.pool, [OK_ORG, MIXED_ORG, SLOW_ORG, IMPORT_ORG, DRY_ORG]);
  await seedDevices(stack.db.pool, { organization: OK_ORG, label: "ok", count: 40 });
  await seedDevices(stack.db.pool, { organization: MIXED_ORG, label: "good", count: 30 });
  await seedDevices(stack.db.pool, {
    organization: MIXED_ORG,
    label: "bad",
    count: 5,
    sim: { fail_rate: 1, fail_code: "authentication_failures" },
  });
  // Slow enough (256 probes in flight, 1.5 s each) that a cancel lands while it runs.
  await seedDevices(stack.db.pool, {
    organization: SLOW_ORG,
    label: "slow",
    count: 1500,
    sim: { latency_ms: 1500 },
  });
  await seedDevices(stack.db.pool, { organization: DRY_ORG, label: "dry", count: 12, type: "switch" });
  await stack.db.pool.query(
    `INSERT INTO devices (organization_id, hostname, device_type, status, driver)
     VALUES ($1, 'noaddr-1', 'router', 'active', 'snmp'), ($1, 'noaddr-2', 'router', 'active', 'snmp')`,
    [DRY_ORG],
  );
  api = await stack.client([OK_ORG, MIXED_ORG, SLOW_ORG, IMPORT_ORG, DRY_ORG]);
  cli = { url: api.baseUrl, token: api.token };
});

afterAll(async () => {
  await stack?.stop();
});

describe("headless-ops CLI end to end", () => {
  it("creates an operation and watches it to completed with exit code 0", async () => {
    const created = await runCli(cli, [
      "ops",
      "create",
      "--type",
      "bulk_serial_sync",
      "--org",
      String(OK_ORG),
      "--json",
    ]);
    expect(created.code, created.stderr).toBe(0);
    const op = JSON.parse(created.stdout) as { id: string; target_device_count: number };
    expect(op.target_device_count).toBe(40);

    const watched = await runCli(cli, ["ops", "watch", op.id]);
    expect(watched.code, watched.stderr).toBe(0);
    expect(watched.stdout).toContain(`operation ${op.id} completed: 40 succeeded, 0 failed of 40 devices`);
    // Followed over the SSE stream, not the polling fallback for servers without one.
    expect(watched.stderr).not.toContain("polling");

    const shown = await runCli(cli, ["ops", "show", op.id, "--json"]);
    expect(JSON.parse(shown.stdout)).toMatchObject({ id: op.id, status: "completed", processed_devices: 40 });
    const listed = await runCli(cli, ["ops", "list"]);
    expect(listed.code).toBe(0);
    expect(listed.stdout).toMatch(new RegExp(`│ ${op.id} +│ bulk_serial_sync │ completed`));
  });

  it("exits 2 when the operation completes with errors, and lists the failed devices as JSON", async () => {
    const run = await runCli(cli, [
      "ops",
      "create",
      "-t",
      "inventory_audit",
      "-o",
      String(MIXED_ORG),
      "--wait",
    ]);
    expect(run.code, run.stderr).toBe(2);
    const id = /operation (\d+) scheduled/.exec(run.stdout)?.[1];
    expect(id, run.stdout).toBeDefined();
    expect(run.stdout).toContain(
      `operation ${id} completed_with_errors: 30 succeeded, 5 failed of 35 devices`,
    );

    const failures = await runCli(cli, ["ops", "failures", String(id), "--json"]);
    expect(failures.code, failures.stderr).toBe(0);
    const rows = JSON.parse(failures.stdout) as { hostname: string; error_code: string; status: string }[];
    expect(rows).toHaveLength(5);
    expect(rows.every((r) => r.status === "failed" && r.error_code === "authentication_failures")).toBe(true);
    expect(rows.map((r) => r.hostname).sort()).toEqual(["bad-1", "bad-2", "bad-3", "bad-4", "bad-5"]);

    const table = await runCli(cli, ["ops", "failures", String(id)]);
    expect(table.stdout).toContain("authentication_failures");
    expect(table.stdout).toContain("bad-3");
  });

  it("cancels a running operation, and watch then exits 4", async () => {
    const created = await runCli(cli, [
      "ops",
      "create",
      "-t",
      "status_refresh",
      "-o",
      String(SLOW_ORG),
      "--json",
    ]);
    const { id } = JSON.parse(created.stdout) as { id: string };
    await api.pollOperation(id, (op) => op.processed_devices > 0);
    const cancelled = await runCli(cli, ["ops", "cancel", id]);
    expect(cancelled.code, cancelled.stderr).toBe(0);
    expect(cancelled.stdout).toMatch(new RegExp(`operation ${id}: (cancelled|in_progress)`));
    const watched = await runCli(cli, ["ops", "watch", id, "--json"]);
    expect(watched.code, watched.stderr).toBe(4);
    const events = watched.stdout
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { event: string; status: string });
    expect(events.at(-1)).toMatchObject({ event: "finished", status: "cancelled" });

    const again = await runCli(cli, ["ops", "cancel", id]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: HTTP 409/);
    expect(again.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints a dry run as a summary with count tables and the unprobeable devices; schedules nothing", async () => {
    const count = async () =>
      (await api.call<{ count: number }>("GET", `${OPERATIONS}?organization_id=${DRY_ORG}`)).body.count;
    const before = await count();
    const run = await runCli(cli, [
      "ops",
      "create",
      "-t",
      "inventory_audit",
      "-o",
      String(DRY_ORG),
      "--dry-run",
    ]);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.split("\n");
    expect(lines[0]).toBe("dry run (nothing scheduled): inventory_audit over 14 devices");
    expect(run.stdout).toMatch(/estimated duration: +(< )?\d+ (min|h)/);
    expect(run.stdout).toMatch(/cannot be probed: +2\n/);
    expect(run.stdout).toMatch(new RegExp(`ORGANIZATION │ DEVICES[\\s\\S]*│ ${DRY_ORG} +│ 14 +│`));
    expect(run.stdout).toMatch(/TYPE +│ DEVICES[\s\S]*│ switch +│ 12 +│[\s\S]*│ router +│ 2 +│/);
    expect(run.stdout).toMatch(/DRIVER +│ DEVICES[\s\S]*│ simulated +│ 12 +│[\s\S]*│ snmp +│ 2 +│/);
    expect(run.stdout).toMatch(/no management address +│ 2 +│/);
    expect(run.stdout).toContain("sample (2 of 2):");
    expect(run.stdout).toMatch(/│ noaddr-1 +│ 805 │ no_address │/);
    expect(run.stdout).not.toContain("{");

    const json = await runCli(cli, [
      "ops",
      "create",
      "-t",
      "inventory_audit",
      "-o",
      String(DRY_ORG),
      "--dry-run",
      "--json",
    ]);
    expect(json.code, json.stderr).toBe(0);
    expect(JSON.parse(json.stdout)).toMatchObject({
      dry_run: true,
      target_device_count: 14,
      counts: { by_driver: { simulated: 12, snmp: 2 } },
      unprobeable: { count: 2, by_reason: { no_address: 2 } },
    });
    expect(await count()).toBe(before);
  });

  it("streams ops report to stdout: `> out.csv` holds exactly the bytes the API sends", async () => {
    const op = await api.createOperation({
      operation_type: "inventory_audit",
      target_organizations: [MIXED_ORG],
    });
    await api.pollOperation(op.id, (o) => o.status === "completed_with_errors", { timeoutMs: 60_000 });
    const fromApi = async (format: string) => {
      const res = await fetch(`${api.baseUrl}${OPERATIONS}${op.id}/report?format=${format}`, {
        headers: { authorization: `Bearer ${api.token}` },
      });
      expect(res.status).toBe(200);
      return Buffer.from(await res.arrayBuffer());
    };
    const dir = mkdtempSync(join(tmpdir(), "cli-report-"));
    const redirect = (args: string, file: string) =>
      spawnSync("sh", ["-c", `"${process.execPath}" ${CLI} ops report ${op.id} ${args} > "${file}"`], {
        env: {
          ...process.env,
          HEADLESS_OPS_URL: cli.url,
          HEADLESS_OPS_TOKEN: cli.token,
          HEADLESS_OPS_CONFIG: "/nonexistent",
        },
        encoding: "utf8",
        timeout: 60_000,
      });

    const csvFile = join(dir, "out.csv");
    const csv = redirect("", csvFile);
    expect(csv.status, csv.stderr).toBe(0);
    expect(csv.stderr).toBe("");
    const bytes = readFileSync(csvFile);
    expect(bytes.equals(await fromApi("csv"))).toBe(true);
    const rows = bytes.toString("utf8").trimEnd().split("\r\n");
    expect(rows[0]).toMatch(/^organization_id,organization,device_id,hostname,/);
    expect(rows).toHaveLength(1 + 35);
    expect(rows.filter((r) => r.includes("authentication_failures"))).toHaveLength(5);

    const ndjsonFile = join(dir, "out.ndjson");
    expect(redirect("--format ndjson", ndjsonFile).status).toBe(0);
    expect(readFileSync(ndjsonFile).equals(await fromApi("ndjson"))).toBe(true);
    const lines = readFileSync(ndjsonFile, "utf8")
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(35);
    // A reader that stops early (`| head`) is no error: the CLI stops quietly with exit 0.
    const slow = await api.call<{ results: { id: string }[] }>(
      "GET",
      `${OPERATIONS}?organization_id=${SLOW_ORG}`,
    );
    // The run cancelled by the test above: 1,500 rows, well past a pipe's buffer.
    const big = slow.body.results[0]?.id as string;
    const head = spawnSync(
      "bash",
      ["-o", "pipefail", "-c", `"${process.execPath}" ${CLI} ops report ${big} | head -n 3`],
      {
        env: {
          ...process.env,
          HEADLESS_OPS_URL: cli.url,
          HEADLESS_OPS_TOKEN: cli.token,
          HEADLESS_OPS_CONFIG: "/nonexistent",
        },
        encoding: "utf8",
        timeout: 60_000,
      },
    );
    expect(head.status, head.stderr).toBe(0);
    expect(head.stderr).toBe("");
    expect(head.stdout.trimEnd().split("\r\n")).toHaveLength(3);

    const json = await runCli(cli, ["ops", "report", op.id, "--format", "json"]);
    expect(json.code, json.stderr).toBe(0);
    expect((JSON.parse(json.stdout) as { results: unknown[] }).results).toHaveLength(35);
  });

  it("ops report exits non-zero with the API's message for an unknown operation, a bad token or format", async () => {
    const missing = await runCli(cli, ["ops", "report", "987654"]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe("");
    expect(missing.stderr).toMatch(
      /^error: operation 987654 not found \(or not visible to this token\)\nHTTP 404/,
    );
    const badToken = await runCli({ ...cli, token: "not-a-token" }, ["ops", "report", "1"]);
    expect(badToken.code).toBe(1);
    expect(badToken.stdout).toBe("");
    expect(badToken.stderr).toMatch(/^error: HTTP 401/);
    expect(badToken.stderr).not.toContain("not-a-token");
    const badFormat = await runCli(cli, ["ops", "report", "1", "--format", "xlsx"]);
    expect(badFormat.code).toBe(1);
    expect(badFormat.stderr).toContain("xlsx");
    for (const run of [missing, badToken, badFormat]) expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("imports devices from a CSV file and lists them", async () => {
    const dir = mkdtempSync(join(tmpdir(), "cli-import-"));
    const file = join(dir, "devices.csv");
    const rows = Array.from(
      { length: 25 },
      (_, i) => `${IMPORT_ORG},imported-${i + 1},switch,active,simulated`,
    );
    writeFileSync(file, `organization_id,hostname,device_type,status,driver\n${rows.join("\n")}\n`);
    const imported = await runCli(cli, ["devices", "import", file]);
    expect(imported.code, imported.stderr).toBe(0);
    expect(imported.stdout).toContain(`imported 25 devices from ${file}`);

    const listed = await runCli(cli, ["devices", "list", "--org", String(IMPORT_ORG), "--json"]);
    const page = JSON.parse(listed.stdout) as { count: number; results: { hostname: string }[] };
    expect(page.count).toBe(25);
    expect(page.results.map((d) => d.hostname)).toContain("imported-7");
    const table = await runCli(cli, ["devices", "list", "--org", String(IMPORT_ORG), "--page-size", "5"]);
    expect(table.stdout).toContain("5 of 25 shown (page 1); next: --page 2");

    writeFileSync(file, "organization_id,hostname,device_type\n999999,x,router\n");
    const refused = await runCli(cli, ["devices", "import", file]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/^error: HTTP 4\d\d/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it("prints the API's error for an unknown operation and a bad token, without a stack trace", async () => {
    const missing = await runCli(cli, ["ops", "watch", "987654"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toMatch(/^error: HTTP 404/);
    const badToken = await runCli({ ...cli, token: "not-a-token" }, ["ops", "list"]);
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/^error: HTTP 401/);
    expect(badToken.stderr).not.toContain("not-a-token");
  });
});
