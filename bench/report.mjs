// Report benchmark: `npm run bench:report [-- --devices 1000000 --format csv]`.
// Seeds one finished operation over N devices (generate_series for the devices and the ledger, the
// operation through libs/db insertOperation), starts the API as a real process from dist/, streams
// GET …/{id}/report and prints the time to first byte, the total time, rows/s, the bytes, and the
// API's peak RSS growth over its warmed-up baseline (VmRSS from /proc/<pid>/status, every 10 ms).
// Target (issue 14): constant memory — the growth does not scale with N (well under 64 MB at 1M).
// `--via-cli` downloads it with `headless-ops ops report ID --format F` instead (stdout a pipe read
// here), and also prints the CLI's peak RSS: it pipes the body through, so that stays flat too.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";
import { insertOperation } from "@headless-ops/db";
import { createTemplateDatabase, createTestDatabase, dropDatabase, freePort } from "@headless-ops/testkit";
import pg from "pg";
import { generateToken, hashToken } from "../services/api/dist/tokens.js";
import { startBenchProcess } from "./processes.mjs";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "1000000" },
    format: { type: "string", default: "csv" },
    /** Caps the API's V8 old space (MB): a run that completes under a small cap retains nothing per row. */
    "api-heap-mb": { type: "string" },
    /** Download with the CLI (`ops report`) as a process, and print its peak RSS. */
    "via-cli": { type: "boolean", default: false },
  },
});
const devices = Number(args.devices);
const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const runId = `rb${randomBytes(3).toString("hex")}`;
const OPS = "/api/v1/inventory_device_serial_headless_operation/";
const fmt = (n) => Math.round(n).toLocaleString("en-US");
const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

async function seed(pool) {
  const t0 = performance.now();
  await pool.query("INSERT INTO organizations (id, name) VALUES (101, 'bench')");
  await pool.query(
    `INSERT INTO devices (organization_id, hostname, device_type, status, driver, mgmt_address,
                          serial, model, vendor, firmware)
     SELECT 101, 'bench-' || i, (ARRAY['router','switch','access_point','firewall'])[1 + i % 4], 'active',
            'simulated', '10.' || (i >> 16) % 256 || '.' || (i >> 8) % 256 || '.' || i % 256,
            'SN' || i, 'C9300-48P', 'cisco', '17.9.4a'
       FROM generate_series(1, $1::int) AS i`,
    [devices],
  );
  const client = await pool.connect();
  let opId;
  try {
    await client.query("BEGIN");
    const request = {
      operation_type: "bulk_serial_sync",
      target_organizations: [101],
      device_filters: {},
      schedule: { execute_at: new Date().toISOString(), priority: "normal" },
      options: { update_firmware_info: true, validate_connectivity: false, timeout_minutes: 60 },
    };
    ({
      row: { id: opId },
    } = await insertOperation(client, runId, { request, targetCount: devices }));
    // Every 50th device failed; the rest report what the inventory holds.
    await client.query(
      `INSERT INTO operation_devices (operation_id, device_id, status, attempts, error_code, error_message,
                                      observed, started_at, finished_at)
       SELECT $1, d.id, CASE WHEN d.id % 50 = 0 THEN 'failed' ELSE 'succeeded' END, 1,
              CASE WHEN d.id % 50 = 0 THEN 'connection_timeouts' END,
              CASE WHEN d.id % 50 = 0 THEN 'no answer within 5000 ms' END,
              CASE WHEN d.id % 50 = 0 THEN NULL ELSE jsonb_build_object('serial', d.serial, 'model', d.model,
                   'vendor', d.vendor, 'firmware', d.firmware) END,
              now() - interval '10 minutes', now() - interval '10 minutes' + (d.id % 900) * interval '1 ms'
         FROM devices d`,
      [opId],
    );
    await client.query(
      `UPDATE operations SET status = 'completed', total_devices = $2, processed_devices = $2,
              failed_devices = $2 / 50, fanout_done = true, started_at = now() - interval '10 minutes',
              finished_at = now(), progress = 100 WHERE id = $1`,
      [opId, devices],
    );
    await client.query("COMMIT");
  } finally {
    client.release();
  }
  await pool.query("ANALYZE operation_devices; ANALYZE devices");
  return { opId, seedS: (performance.now() - t0) / 1000 };
}

/** Streams the report, counting lines and bytes without keeping them. */
function download(port, path, auth) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByteMs;
    let bytes = 0;
    let lines = 0;
    const req = http.get({ host: "127.0.0.1", port, path, headers: { authorization: auth } }, (res) => {
      res.on("data", (chunk) => {
        firstByteMs ??= performance.now() - t0;
        bytes += chunk.length;
        for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
      });
      res.on("end", () =>
        resolve({ status: res.statusCode, firstByteMs, totalMs: performance.now() - t0, bytes, lines }),
      );
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

/** The same through `headless-ops ops report`, its stdout counted here; samples the CLI's RSS. */
function downloadViaCli(port, id, token) {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    let firstByteMs;
    let bytes = 0;
    let lines = 0;
    let cliPeakKb = 0;
    const child = spawn(
      process.execPath,
      ["tools/cli/bin/headless-ops.js", "ops", "report", String(id), "--format", args.format],
      {
        env: {
          PATH: process.env.PATH,
          HEADLESS_OPS_URL: `http://127.0.0.1:${port}`,
          HEADLESS_OPS_TOKEN: token,
          HEADLESS_OPS_CONFIG: "/nonexistent",
        },
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    const sampler = setInterval(() => {
      try {
        cliPeakKb = Math.max(cliPeakKb, rssKb(child.pid));
      } catch {
        // exited between samples
      }
    }, 10);
    child.stdout.on("data", (chunk) => {
      firstByteMs ??= performance.now() - t0;
      bytes += chunk.length;
      for (let i = chunk.indexOf(10); i !== -1; i = chunk.indexOf(10, i + 1)) lines += 1;
    });
    child.on("error", reject);
    child.on("close", (code) => {
      clearInterval(sampler);
      resolve({
        status: code === 0 ? 200 : `exit ${code}`,
        firstByteMs,
        totalMs: performance.now() - t0,
        bytes,
        lines,
        cliPeakKb,
      });
    });
  });
}

async function main() {
  const template = await createTemplateDatabase(serverUrl, runId);
  const db = await createTestDatabase(serverUrl, template);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  const log = createWriteStream(`/tmp/bench-report-${runId}.log`);
  let api;
  try {
    const token = generateToken();
    await pool.query(
      "INSERT INTO api_tokens (token_hash, role, organization_ids) VALUES ($1, 'viewer', '{101}')",
      [hashToken(token)],
    );
    const { opId, seedS } = await seed(pool);
    console.error(`seeded ${fmt(devices)} devices and ledger rows in ${seedS.toFixed(1)} s`);
    const port = await freePort();
    const env = {
      DATABASE_URL: db.url,
      NATS_URL: natsUrl,
      NATS_PREFIX: runId,
      LOG_LEVEL: "warn",
      RATE_LIMIT_MAX: "100000",
      CREDENTIAL_KEY: randomBytes(32).toString("base64"),
      HOST: "127.0.0.1",
      PORT: String(port),
      METRICS_PORT: String(await freePort()),
      ...(args["api-heap-mb"] ? { NODE_OPTIONS: `--max-old-space-size=${Number(args["api-heap-mb"])}` } : {}),
    };
    api = startBenchProcess({ name: "api", script: "services/api/dist/main.js", env, port, log }).proc;
    await api.waitUntilReady();
    const auth = `Bearer ${token}`;
    const path = `${OPS}${opId}/report?format=${args.format}`;
    // Warm-up: GETs of the operation load the request path, so the baseline is a warm process.
    for (let i = 0; i < 20; i += 1) await download(port, `${OPS}?id=${opId}`, auth);
    const baseline = rssKb(api.pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKb(api.pid));
    }, 10);
    const r = args["via-cli"] ? await downloadViaCli(port, opId, token) : await download(port, path, auth);
    clearInterval(sampler);
    peak = Math.max(peak, rssKb(api.pid));
    const rows = args.format === "csv" ? r.lines - 1 : r.lines;
    const result = {
      devices: fmt(devices),
      format: args.format,
      "API heap cap MB": args["api-heap-mb"] ?? "none",
      status: r.status,
      rows: fmt(rows),
      "first byte ms": Math.round(r.firstByteMs),
      "total s": (r.totalMs / 1000).toFixed(1),
      "rows/s": fmt(rows / (r.totalMs / 1000)),
      MB: (r.bytes / 1024 / 1024).toFixed(1),
      "API RSS baseline MB": (baseline / 1024).toFixed(1),
      "API RSS growth MB": ((peak - baseline) / 1024).toFixed(1),
      ...(args["via-cli"] ? { "CLI peak RSS MB": (r.cliPeakKb / 1024).toFixed(1) } : {}),
    };
    console.log("\nreport benchmark");
    console.table([result]);
    const complete = r.status === 200 && (args.format === "json" || rows === devices);
    process.exitCode = complete ? 0 : 1;
  } finally {
    await api?.stop().catch(() => api.kill());
    await pool.end();
    await db.drop();
    await dropDatabase(serverUrl, template);
  }
}

await main();
