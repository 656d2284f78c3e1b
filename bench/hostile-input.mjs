// Hostile-input benchmark: `npm run bench:hostile-input [-- --chunked]`.
// Starts the API as a real process (libs/testkit: free port, readiness, its own migrated database),
// and for each hostile 16 MiB body prints the API's peak RSS growth (VmRSS from /proc/<pid>/status,
// sampled every 5 ms), the worst /healthz latency while the body is sent and answered, the status
// code, and whether anything was written. One fresh, warmed-up API process per body.
// Targets (issue 10): RSS growth < 64 MB, /healthz never slower than 100 ms, a 4xx each, nothing written.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import http from "node:http";
import { parseArgs } from "node:util";
import { Worker } from "node:worker_threads";
import {
  createTemplateDatabase,
  createTestDatabase,
  dropDatabase,
  startService,
} from "@headless-ops/testkit";
import pg from "pg";
import { generateToken, hashToken } from "../services/api/dist/tokens.js";

const { values: args } = parseArgs({
  options: {
    /** Send without Content-Length (chunked): the API cannot refuse on the header, it must count. */
    chunked: { type: "boolean", default: false },
    /** Only the bodies whose name contains this. */
    only: { type: "string" },
  },
});
const MiB = 1024 * 1024;
const SIZE = 16 * MiB;
const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const runId = `hb${randomBytes(3).toString("hex")}`;
const OPS = "/api/v1/inventory_device_serial_headless_operation/";
const DEVICES = "/api/v1/devices/";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** `head`, then `fill(i)` repeated until the body is `SIZE` bytes (cut, then closed by `tail`). */
function body(head, fill, tail = "") {
  const parts = [head];
  let length = head.length + tail.length;
  for (let i = 0; length < SIZE; i += 1) {
    const part = fill(i);
    parts.push(part);
    length += part.length;
  }
  const text = parts.join("") + tail;
  return Buffer.from(text.slice(0, SIZE - tail.length) + tail);
}

const half = SIZE / 2;
const cases = [
  {
    name: "one-column CSV",
    url: `${DEVICES}import`,
    type: "text/csv",
    payload: () => body("hostname\n", (i) => `host-${i}\n`),
  },
  {
    name: "CSV, valid header, 500k rows",
    url: `${DEVICES}import`,
    type: "text/csv",
    // 500,000 rows of 33.5 bytes on average: the model column pads each to the size.
    payload: () =>
      body("organization_id,hostname,device_type,model\n", (i) =>
        `101,h${String(i).padStart(7, "0")},router,${"m".repeat(i % 2 === 0 ? 10 : 11)}\n`.slice(0, 34),
      ),
  },
  {
    name: "[0,0,…] device batch",
    url: DEVICES,
    type: "application/json",
    payload: () => body("[", () => "0,".repeat(4096), "0]"),
  },
  {
    name: "deeply nested JSON",
    url: DEVICES,
    type: "application/json",
    payload: () => Buffer.from("[".repeat(half) + "]".repeat(half)),
  },
  {
    name: "16 MiB `data` form field",
    url: OPS,
    type: "application/x-www-form-urlencoded",
    payload: () => body("data=", () => "x".repeat(4096)),
  },
].filter((c) => !args.only || c.name.includes(args.only));

const rssKb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0);

/** Sends a body in 64 KiB writes (respecting backpressure); resolves with the status once answered. */
function send(port, { url, type, payload }, auth) {
  return new Promise((resolve) => {
    const headers = { "content-type": type, authorization: auth };
    if (!args.chunked) headers["content-length"] = String(payload.length);
    let answered = false;
    const req = http.request({ host: "127.0.0.1", port, method: "POST", path: url, headers }, (res) => {
      answered = true;
      const chunks = [];
      res.on("data", (c) => chunks.push(c));
      res.on("end", () => resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", () => resolve({ status: res.statusCode, body: "" }));
    });
    // Once answered, the API closes the connection: a write error after that is expected.
    req.on("error", (err) => {
      if (!answered) resolve({ status: `no answer (${err.code ?? err.message})`, body: "" });
    });
    let offset = 0;
    const pump = () => {
      while (offset < payload.length) {
        const chunk = payload.subarray(offset, offset + 64 * 1024);
        offset += chunk.length;
        if (!req.write(chunk)) return void req.once("drain", pump);
      }
      req.end();
    };
    pump();
  });
}

/**
 * GET /healthz in a loop on its own keep-alive connection, in a worker thread (so the busy sender in
 * this thread does not delay it); `stop()` resolves with the worst latency seen.
 */
function pollHealth(port) {
  const source = `
    const http = require("node:http");
    const { parentPort, workerData } = require("node:worker_threads");
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    let running = true;
    let worst = 0;
    parentPort.on("message", () => { running = false; });
    const once = () => new Promise((resolve) => {
      const t0 = performance.now();
      const req = http.get({ host: "127.0.0.1", port: workerData.port, path: "/healthz", agent }, (res) => {
        res.resume();
        res.on("end", () => resolve(performance.now() - t0));
      });
      req.on("error", () => resolve(performance.now() - t0));
    });
    (async () => {
      while (running) {
        worst = Math.max(worst, await once());
        await new Promise((r) => setTimeout(r, 5));
      }
      agent.destroy();
      parentPort.postMessage(worst);
    })();`;
  const worker = new Worker(source, { eval: true, workerData: { port } });
  const done = new Promise((resolve) => worker.once("message", resolve));
  return {
    stop: async () => {
      worker.postMessage("stop");
      const worst = await done;
      await worker.terminate();
      return worst;
    },
  };
}

async function written(pool) {
  const res = await pool.query(
    `SELECT (SELECT count(*) FROM devices)::int + (SELECT count(*) FROM operations)::int
          + (SELECT count(*) FROM outbox)::int AS n`,
  );
  return res.rows[0].n;
}

/** Small refused requests on every route, so lazy code and JIT are loaded before the baseline. */
async function warmUp(port, auth) {
  const small = [
    { url: `${DEVICES}import`, type: "text/csv", payload: Buffer.from("hostname\nx\n") },
    { url: DEVICES, type: "application/json", payload: Buffer.from("[0]") },
    { url: DEVICES, type: "application/json", payload: Buffer.from("[[[]]]") },
    { url: OPS, type: "application/x-www-form-urlencoded", payload: Buffer.from("data=x") },
  ];
  for (let i = 0; i < 20; i += 1) for (const c of small) await send(port, c, auth);
}

async function measure(c, env, pool, auth) {
  const api = await startService("api", { env });
  try {
    await warmUp(api.port, auth);
    await sleep(500);
    const payload = c.payload();
    const before = await written(pool);
    const baseline = rssKb(api.pid);
    let peak = baseline;
    const sampler = setInterval(() => {
      peak = Math.max(peak, rssKb(api.pid));
    }, 5);
    const health = pollHealth(api.port);
    const t0 = performance.now();
    const answer = await send(api.port, { ...c, payload }, auth);
    const ms = performance.now() - t0;
    await sleep(300); // work after the answer (GC, a parse still running) counts too
    const worstHealthMs = await health.stop();
    clearInterval(sampler);
    peak = Math.max(peak, rssKb(api.pid));
    const detail = (() => {
      try {
        return JSON.parse(answer.body).detail;
      } catch {
        return answer.body.slice(0, 60);
      }
    })();
    return {
      body: c.name,
      status: answer.status,
      detail,
      answerMs: Math.round(ms),
      rssGrowthMb: Math.round(((peak - baseline) / 1024) * 10) / 10,
      worstHealthzMs: Math.round(worstHealthMs * 10) / 10,
      written: (await written(pool)) - before,
    };
  } finally {
    await api.stop().catch(() => api.kill());
  }
}

async function main() {
  const template = await createTemplateDatabase(serverUrl, runId);
  const db = await createTestDatabase(serverUrl, template);
  const pool = new pg.Pool({ connectionString: db.url, max: 2 });
  try {
    const token = generateToken();
    await pool.query("INSERT INTO organizations (id, name) VALUES (101, 'bench')");
    await pool.query(
      "INSERT INTO api_tokens (token_hash, role, organization_ids) VALUES ($1, 'operator', '{101}')",
      [hashToken(token)],
    );
    const env = {
      DATABASE_URL: db.url,
      NATS_URL: natsUrl,
      NATS_PREFIX: runId,
      LOG_LEVEL: "warn",
      RATE_LIMIT_MAX: "100000",
      CREDENTIAL_KEY: randomBytes(32).toString("base64"),
    };
    const rows = [];
    for (const c of cases) {
      const row = await measure(c, env, pool, `Bearer ${token}`);
      rows.push(row);
      console.error(JSON.stringify(row));
    }
    const ok = (r) =>
      typeof r.status === "number" &&
      r.status >= 400 &&
      r.status < 500 &&
      r.rssGrowthMb < 64 &&
      r.worstHealthzMs < 100 &&
      r.written === 0;
    console.log(`\nhostile-input (${args.chunked ? "chunked, no Content-Length" : "with Content-Length"})`);
    console.table(rows.map((r) => ({ ...r, target: ok(r) ? "met" : "MISSED" })));
    process.exitCode = rows.every(ok) ? 0 : 1;
  } finally {
    await pool.end();
    await db.drop();
    await dropDatabase(serverUrl, template);
  }
}

await main();
