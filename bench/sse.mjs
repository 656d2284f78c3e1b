// Live-progress benchmark: `npm run bench:sse -- --devices 100000 --streams 1000 --others 100`.
// One API process with `streams` SSE streams open on one operation over `devices` simulated devices
// and `others` streams on other operations, while the scheduler, the aggregator and probers run it.
// Prints the delay from the aggregator's commit (the progress event's committed_at, heard on NATS) to
// each SSE arrival (median/p99/max), the API's peak RSS and its event-loop lag (prom-client's
// monitorEventLoopDelay gauges on /metrics). `--cpu-prof DIR` writes the API's V8 CPU profile there.
import { createHash, randomBytes } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager, provisionStreams, publishJson } from "@headless-ops/bus";
import { natsNames, operationCreatedMsgId } from "@headless-ops/contracts";
import { insertOperation, runMigrations } from "@headless-ops/db";
import { freePort, openSse } from "@headless-ops/testkit";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { startBenchProcess, startWorkers } from "./processes.mjs";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "100000" },
    streams: { type: "string", default: "1000" },
    others: { type: "string", default: "100" },
    probers: { type: "string", default: "2" },
    "timeout-s": { type: "string", default: "300" },
    "cpu-prof": { type: "string" },
  },
});
const devices = Number(args.devices);
const streams = Number(args.streams);
const others = Number(args.others);
const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const runId = randomBytes(3).toString("hex");
const dbUrl = Object.assign(new URL(serverUrl), { pathname: `/ho_bench_sse_${runId}` }).toString();
const prefix = `benchsse${runId}`;
const logPath = `/tmp/bench-sse-${runId}.log`;
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const quantile = (sorted, q) =>
  sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

function peakRssMb(pid) {
  try {
    return Number(readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+)/)?.[1] ?? 0) / 1024;
  } catch {
    return 0;
  }
}

async function gauge(url, name) {
  const text = await fetch(url).then(
    (r) => r.text(),
    () => "",
  );
  const m = new RegExp(`^${name}(?:\\{[^}]*\\})? (\\S+)$`, "m").exec(text);
  return m ? Number(m[1]) : Number.NaN;
}

async function seed(client) {
  await client.query("INSERT INTO organizations (id, name) VALUES (1, 'bench')");
  await client.query(
    `INSERT INTO devices (organization_id, hostname, device_type, status, driver, mgmt_address)
     SELECT 1, 'bench-' || i, 'router', 'active', 'simulated', '10.' || (i >> 16) % 256 || '.' || (i >> 8) % 256 || '.' || i % 256
       FROM generate_series(1, $1::int) AS i`,
    [devices],
  );
  await client.query("VACUUM ANALYZE devices");
  const token = randomBytes(24).toString("base64url");
  await client.query(
    "INSERT INTO api_tokens (token_hash, role, organization_ids) VALUES ($1, 'viewer', '{1}')",
    [createHash("sha256").update(token).digest()],
  );
  return token;
}

const request = (executeAt) => ({
  operation_type: "status_refresh",
  target_organizations: [1],
  device_filters: {},
  schedule: { execute_at: executeAt, priority: "normal" },
  options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 60 },
});

async function main() {
  console.log(`bench:sse devices=${devices} streams=${streams}+${others} run=${runId} (logs: ${logPath})`);
  await runMigrations(dbUrl);
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const token = await seed(client);
  const nc = await connect({ servers: natsUrl, name: "bench-sse" });
  await provisionStreams(await jetstreamManager(nc), prefix, 1);
  const names = natsNames(prefix);
  const log = createWriteStream(logPath);
  const env = {
    DATABASE_URL: dbUrl,
    NATS_URL: natsUrl,
    NATS_PREFIX: prefix,
    LOG_LEVEL: "warn",
    FANOUT_BATCH_SIZE: "1000",
    CREDENTIAL_KEY: randomBytes(32).toString("base64"),
  };
  const apiPort = await freePort();
  const metricsPort = await freePort();
  const api = startBenchProcess({
    name: "api",
    script: "services/api/dist/main.js",
    env: {
      ...env,
      PORT: String(apiPort),
      METRICS_PORT: String(metricsPort),
      HOST: "127.0.0.1",
      RATE_LIMIT_MAX: "100000",
    },
    port: apiPort,
    log,
    cpuProf: args["cpu-prof"],
  });
  const workers = await startWorkers({ env, probers: Number(args.probers), log });
  const all = [api, ...workers];
  let exitCode = 0;
  try {
    await Promise.all(all.map((s) => s.proc.waitUntilReady()));
    const base = `http://127.0.0.1:${apiPort}`;
    // The API serves /metrics on its ops port (METRICS_PORT), not beside the API.
    const metrics = `http://127.0.0.1:${metricsPort}/metrics`;
    const ops = "/api/v1/inventory_device_serial_headless_operation/";
    // The watched operation is created first but due only when every stream is open.
    await client.query("BEGIN");
    const big = await insertOperation(client, prefix, {
      request: request("2099-01-01T00:00:00Z"),
      targetCount: devices,
    });
    const small = [];
    for (let i = 0; i < others; i += 1) {
      small.push(
        (await insertOperation(client, prefix, { request: request("2099-01-01T00:00:00Z") })).row.id,
      );
    }
    await client.query("COMMIT");
    const opId = big.row.id;
    const committedAt = new Map();
    nc.subscribe(names.subjects.progress(opId), {
      callback: (_err, msg) => {
        const e = msg.json();
        committedAt.set(`${e.processed_devices}`, Date.parse(e.committed_at ?? e.updated_at));
      },
    });
    const headers = { authorization: `Bearer ${token}` };
    const conns = [];
    for (let i = 0; i < streams; i += 1) conns.push(await openSse(`${base}${ops}${opId}/events`, headers));
    for (const id of small) conns.push(await openSse(`${base}${ops}${id}/events`, headers));
    console.log(
      `open streams: ${await gauge(metrics, "sse_streams_open")}, NATS subscriptions: ${await gauge(metrics, "sse_nats_subscriptions")}`,
    );

    const delays = [];
    let finished = 0;
    let progressSeen = 0;
    const readers = conns.slice(0, streams).map(async (c) => {
      for (let e = await c.next(600_000); e; e = await c.next(600_000)) {
        if (e.event === "progress") {
          progressSeen += 1;
          const at = committedAt.get(`${e.data.processed_devices}`);
          if (at !== undefined) delays.push(Date.now() - at);
        }
        if (e.event === "finished") finished += 1;
      }
    });
    let lagMax = 0;
    let lagP99 = 0;
    const sampler = setInterval(async () => {
      lagMax = Math.max(lagMax, await gauge(metrics, "nodejs_eventloop_lag_max_seconds"));
      lagP99 = Math.max(lagP99, await gauge(metrics, "nodejs_eventloop_lag_p99_seconds"));
    }, 1_000);
    await client.query("UPDATE operations SET scheduled_for = now() WHERE id = $1", [opId]);
    await publishJson(jetstream(nc), names.subjects.operationCreated, big.event, operationCreatedMsgId(opId));
    const started = Date.now();
    await Promise.race([Promise.all(readers), sleep(Number(args["timeout-s"]) * 1000)]);
    clearInterval(sampler);
    const seconds = (Date.now() - started) / 1000;
    delays.sort((a, b) => a - b);
    console.log(
      `operation: ${devices} devices in ${seconds.toFixed(1)} s; finished seen by ${finished}/${streams} streams; ${committedAt.size} progress events on NATS, ${progressSeen} on SSE`,
    );
    console.log(
      `commit → SSE arrival (ms, ${delays.length} progress events): median ${quantile(delays, 0.5)}  p99 ${quantile(delays, 0.99)}  max ${delays.at(-1)}`,
    );
    console.log(
      `api peak RSS ${peakRssMb(api.proc.pid).toFixed(0)} MB; event-loop lag p99 ${(lagP99 * 1000).toFixed(1)} ms, max ${(lagMax * 1000).toFixed(1)} ms`,
    );
    for (const c of conns) c.close();
    if (finished < streams) exitCode = 1;
  } finally {
    for (const s of all) s.proc.child.kill("SIGTERM");
    await Promise.all(all.map((s) => s.proc.exited));
    await nc.close();
    await client.end();
    log.end();
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
