// Pipeline benchmark: `npm run bench:pipeline -- --devices 100000 --probers 2`.
// Seeds N simulated devices (zero latency) with one INSERT…SELECT generate_series, starts the
// scheduler, the aggregator and P probers as processes from dist/, schedules one bulk_serial_sync
// operation over all of them and measures devices/s from the first job message to `completed`,
// each stage's rate, each service's peak RSS, and checks one terminal ledger row per device.
// `--nats-cluster 3` runs it on a three-node JetStream cluster it starts (streams at R3);
// `--compare-replicas` runs R1 on one server and R1/R3 on the cluster, interleaved, side by side.
import { randomBytes } from "node:crypto";
import { createWriteStream, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager, natsServers, provisionStreams, publishJson } from "@headless-ops/bus";
import { natsNames, operationCreatedMsgId } from "@headless-ops/contracts";
import { insertOperation, runMigrations } from "@headless-ops/db";
import { TestNatsCluster, TestNatsServer, TestPostgresCluster } from "@headless-ops/testkit";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { parse as parseYaml } from "yaml";
import { compareReplicas } from "./nats-replicas.mjs";
import { startWorkers } from "./processes.mjs";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "100000" },
    probers: { type: "string", default: "2" },
    /** FANOUT_BATCH_SIZE for the run (devices per job message); the services' default is 250. */
    "batch-size": { type: "string", default: "1000" },
    "timeout-s": { type: "string", default: "300" },
    "keep-db": { type: "boolean", default: false },
    /** Experiment: devices table fillfactor before seeding (room for HOT inventory updates). */
    "devices-fillfactor": { type: "string" },
    /** Experiment: ledger (operation_devices) fillfactor before the claim (room for HOT fold updates). */
    "ledger-fillfactor": { type: "string" },
    /**
     * The unchanged-fleet case: the devices already hold what the probe returns (serial, model,
     * vendor, firmware, a recent last_seen, last probe succeeded), as after a previous sync; the fold
     * then writes no device row (DEVICE_LAST_SEEN_RESOLUTION_S).
     */
    unchanged: { type: "boolean", default: false },
    /** Aggregator replicas on the one durable result consumer. */
    aggregators: { type: "string", default: "1" },
    /** SIGKILL prober-1 once this fraction of the devices is folded (e.g. 0.3) and time the recovery. */
    "kill-prober-at": { type: "string" },
    /**
     * Run on a Postgres this benchmark starts (initdb, own port) with the prod CloudNativePG
     * parameters (deploy/k8s/database/prod/postgres-cluster.yaml), instead of the server as it is.
     */
    "own-postgres": { type: "boolean", default: false },
    /**
     * Postgres's own statement statistics: runs on an own Postgres (as --own-postgres) with
     * pg_stat_statements loaded and prints the statements of the run by execution time per device.
     */
    statements: { type: "boolean", default: false },
    /** Write a V8 CPU profile of every service into this directory. */
    "cpu-prof": { type: "string" },
    /** Run on a nats-server this benchmark starts (own port and store), instead of NATS_URL's. */
    "own-nats": { type: "boolean", default: false },
    /** Run on a JetStream cluster of this many nats-servers the benchmark starts on loopback (e.g. 3). */
    "nats-cluster": { type: "string" },
    /** Stream replicas (NATS_STREAM_REPLICAS): default 3 on a cluster (at most its size), 1 on one server. */
    "nats-replicas": { type: "string" },
    /** Runs R1 (one server), R1 and R3 (the cluster) in turn, `--rounds` times, and prints medians side by side. */
    "compare-replicas": { type: "boolean", default: false },
    rounds: { type: "string", default: "3" },
    /** Where to write this run's figures as JSON (used by --compare-replicas). */
    "result-file": { type: "string" },
  },
});
const devices = Number(args.devices);
const probers = Number(args.probers);
const aggregators = Number(args.aggregators);
const killAt = args["kill-prober-at"] === undefined ? undefined : Number(args["kill-prober-at"]);
const timeoutMs = Number(args["timeout-s"]) * 1000;
let serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
let natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const clusterSize = args["nats-cluster"] === undefined ? undefined : Number(args["nats-cluster"]);
const replicas = Number(args["nats-replicas"] ?? (clusterSize ? Math.min(clusterSize, 3) : 1));
function usage(message) {
  console.error(`bench:pipeline: ${message}`);
  process.exit(2);
}
if (clusterSize !== undefined && !(Number.isInteger(clusterSize) && clusterSize >= 3 && clusterSize <= 5))
  usage("--nats-cluster takes 3 to 5 nodes (a cluster survives the loss of one node from 3 up)");
if (clusterSize !== undefined && args["own-nats"]) usage("--own-nats and --nats-cluster: one or the other");
if (!(Number.isInteger(replicas) && replicas >= 1 && replicas <= (clusterSize ?? 1)))
  usage(
    `--nats-replicas ${replicas}: 1..${clusterSize ?? 1} on ${clusterSize ? "this cluster" : "one server"}`,
  );
/** The nats-servers this benchmark started (`--own-nats`: one, `--nats-cluster N`: N), for their CPU. */
let natsCluster;
let ownNats;
const runId = randomBytes(3).toString("hex");
let dbUrl = withDatabase(serverUrl, `ho_bench_${runId}`);
let ownPostgres;
const prefix = `bench${runId}`;
const logPath = `/tmp/bench-pipeline-${runId}.log`;

function withDatabase(url, name) {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n) => Math.round(n).toLocaleString("en-US");

async function seed(client) {
  const t0 = performance.now();
  if (args["devices-fillfactor"]) {
    await client.query(`ALTER TABLE devices SET (fillfactor = ${Number(args["devices-fillfactor"])})`);
  }
  if (args["ledger-fillfactor"]) {
    await client.query(
      `ALTER TABLE operation_devices SET (fillfactor = ${Number(args["ledger-fillfactor"])})`,
    );
  }
  await client.query("INSERT INTO organizations (id, name) VALUES (1, 'bench')");
  if (args.unchanged) {
    // Ids given, so each row holds the simulated driver's serial for its id (simulatedSerial).
    await client.query(
      `INSERT INTO devices (id, organization_id, hostname, device_type, status, driver, mgmt_address,
                            serial, model, vendor, firmware, last_seen, last_probe_status, updated_at)
       SELECT i, 1, 'bench-' || i, (ARRAY['router','switch','access_point','firewall'])[1 + i % 4], 'active',
              'simulated', '10.' || (i >> 16) % 256 || '.' || (i >> 8) % 256 || '.' || i % 256,
              'SIM' || lpad(i::text, 10, '0'), 'SIM-1000', 'Simulated Networks', '1.0.0', now(), 'succeeded',
              now() - interval '1 day'
         FROM generate_series(1, $1::int) AS i`,
      [devices],
    );
    await client.query("SELECT setval(pg_get_serial_sequence('devices', 'id'), $1::bigint)", [devices]);
  } else {
    await client.query(
      `INSERT INTO devices (organization_id, hostname, device_type, status, driver, mgmt_address)
       SELECT 1, 'bench-' || i, (ARRAY['router','switch','access_point','firewall'])[1 + i % 4], 'active',
              'simulated', '10.' || (i >> 16) % 256 || '.' || (i >> 8) % 256 || '.' || i % 256
         FROM generate_series(1, $1::int) AS i`,
      [devices],
    );
  }
  await client.query("VACUUM ANALYZE devices");
  return (performance.now() - t0) / 1000;
}

/** Sums a counter family from a Prometheus text page. */
async function scrape(service, metric) {
  const text = await fetch(`${service.proc.url}/metrics`).then(
    (r) => r.text(),
    () => "",
  );
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith(metric) && (line[metric.length] === " " || line[metric.length] === "{")) {
      sum += Number(line.slice(line.lastIndexOf(" ") + 1));
    }
  }
  return sum;
}

function rss(pid, field) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, "utf8");
    const kb = Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

const ticks = 100; // USER_HZ on Linux
/**
 * CPU seconds (user + system) of one process, or of every process with a given name (and, if
 * given, a command line containing `cmdlineIncludes`, e.g. the Postgres backends of one database).
 */
function cpuSeconds(pidOrName, cmdlineIncludes) {
  const read = (pid) => {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      return {
        comm: stat.slice(stat.indexOf("(") + 1, stat.lastIndexOf(")")),
        cpu: (Number(fields[11]) + Number(fields[12])) / ticks,
      };
    } catch {
      return { comm: "", cpu: 0 };
    }
  };
  if (typeof pidOrName === "number") return read(pidOrName).cpu;
  let sum = 0;
  for (const entry of readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    const p = read(Number(entry));
    if (p.comm !== pidOrName) continue;
    if (cmdlineIncludes) {
      let cmdline = "";
      try {
        cmdline = readFileSync(`/proc/${entry}/cmdline`, "utf8");
      } catch {}
      if (!cmdline.includes(cmdlineIncludes)) continue;
    }
    sum += p.cpu;
  }
  return sum;
}

/**
 * The prober kill: once `at` of the devices are probed, note the last job the consumer had delivered
 * and SIGKILL the victim. The jobs stream is a work queue (an acked job is deleted), so once its first
 * sequence is past that job, every job held at the kill — the victim's unacked ones too — was
 * redelivered, probed and acked.
 */
async function watchKill(kill, probed, jsm, names) {
  if (kill.killedAt === undefined) {
    if (probed < kill.at * devices) return;
    const info = await jsm.consumers.info(names.streams.deviceJobs, names.consumers.prober("normal"));
    kill.heldUpTo = info.delivered.stream_seq;
    kill.ackPending = info.num_ack_pending;
    kill.probedAtKill = probed;
    kill.cpuAtKill = cpuSeconds(kill.victim.proc.pid);
    kill.victim.proc.child.kill("SIGKILL");
    kill.killedAt = Date.now();
    return;
  }
  if (kill.jobsDoneAt !== undefined) return;
  const { state } = await jsm.streams.info(names.streams.deviceJobs);
  if (state.messages === 0 || state.first_seq > kill.heldUpTo) kill.jobsDoneAt = Date.now();
}

function printKill(kill, finishedAt) {
  if (kill.killedAt === undefined) return console.log(`kill: ${kill.victim.name} was never killed`);
  const after = (t) => (t === undefined ? "n/a" : `${((t - kill.killedAt) / 1000).toFixed(2)} s`);
  console.log(
    `kill: ${kill.victim.name} SIGKILLed at ${fmt(kill.probedAtKill)} devices probed (${kill.ackPending} jobs unacked on the consumer)`,
  );
  console.log(
    `  every job held at the kill (the killed prober's included) acked ${after(kill.jobsDoneAt)} after it; operation completed ${after(finishedAt)} after it`,
  );
}

/** CPU seconds of the benchmark's own nats-server(s), or of every nats-server on the machine. */
function natsCpu() {
  const own = natsCluster?.nodes ?? (ownNats ? [ownNats] : undefined);
  if (!own) return cpuSeconds("nats-server");
  return own.reduce((sum, node) => sum + (node.pid ? cpuSeconds(node.pid) : 0), 0);
}

/** Watches one stage counter: when it first moved and when it reached the target. */
function stage(name, service, metric) {
  return { name, service, metric, first: undefined, last: undefined, value: 0 };
}

/**
 * The run's statements by execution time (pg_stat_statements of this database, reset before the
 * operation was created): per device, the executor's time, buffer hits and WAL; then the totals.
 */
async function printStatements(client, devices) {
  const { rows } = await client.query(
    `SELECT regexp_replace(query, '\\s+', ' ', 'g') AS query, calls::bigint,
            total_exec_time::float8 AS ms, (shared_blks_hit + shared_blks_read)::bigint AS blocks,
            wal_bytes::bigint AS wal
       FROM pg_stat_statements s JOIN pg_database d ON d.oid = s.dbid
      WHERE d.datname = current_database() AND query NOT LIKE '%pg_stat_statements%'
      ORDER BY total_exec_time DESC`,
  );
  const per = (n) => (Number(n) / devices).toFixed(1);
  const total = rows.reduce(
    (t, r) => ({
      ms: t.ms + r.ms,
      blocks: t.blocks + Number(r.blocks),
      wal: t.wal + Number(r.wal),
      calls: t.calls + Number(r.calls),
    }),
    { ms: 0, blocks: 0, wal: 0, calls: 0 },
  );
  console.log("Postgres statements (pg_stat_statements, this database, by execution time):");
  console.log("  µs/device  share   calls  blocks/device  WAL B/device  statement");
  for (const r of rows.slice(0, 12)) {
    const share = `${((100 * r.ms) / total.ms).toFixed(1)} %`;
    console.log(
      `  ${per(1000 * r.ms).padStart(9)}  ${share.padStart(6)}  ${String(r.calls).padStart(6)}  ${per(r.blocks).padStart(13)}  ${per(r.wal).padStart(12)}  ${r.query.slice(0, 90)}`,
    );
  }
  console.log(
    `  ${per(1000 * total.ms).padStart(9)}  100 %   ${String(total.calls).padStart(6)}  ${per(total.blocks).padStart(13)}  ${per(total.wal).padStart(12)}  all ${rows.length} statements (execution time, not CPU time)`,
  );
}

/** The `postgresql.parameters` the prod CloudNativePG Cluster runs with. */
function deployParameters() {
  const file = new URL("../deploy/k8s/database/prod/postgres-cluster.yaml", import.meta.url);
  return parseYaml(readFileSync(file, "utf8")).spec.postgresql.parameters;
}

async function main() {
  if (args["own-postgres"] || args.statements) {
    const settings = deployParameters();
    if (args.statements) settings.shared_preload_libraries = "pg_stat_statements";
    ownPostgres = await TestPostgresCluster.start(`ho_bench_${runId}`, { settings });
    serverUrl = ownPostgres.url("postgres");
    dbUrl = ownPostgres.url(`ho_bench_${runId}`);
    console.log(
      `postgres: own cluster on port ${ownPostgres.port} with the deploy parameters (${Object.entries(
        settings,
      )
        .map(([k, v]) => `${k}=${v}`)
        .join(" ")})`,
    );
  } else {
    console.log(`postgres: the server as it is (${new URL(serverUrl).host})`);
  }
  if (clusterSize) {
    natsCluster = await TestNatsCluster.start({ size: clusterSize });
    natsUrl = natsCluster.url;
    console.log(
      `nats: own ${clusterSize}-node JetStream cluster ${natsCluster.name} (${natsUrl}), streams at R${replicas}`,
    );
  } else if (args["own-nats"]) {
    ownNats = await TestNatsServer.start();
    natsUrl = ownNats.url;
    console.log(`nats: own nats-server (${natsUrl}, own store), streams at R${replicas}`);
  } else {
    console.log(`nats: the server as it is (${natsUrl}), streams at R${replicas}`);
  }
  console.log(
    `bench:pipeline  devices=${fmt(devices)} probers=${probers} aggregators=${aggregators} FANOUT_BATCH_SIZE=${args["batch-size"]} fleet=${args.unchanged ? "unchanged" : "changed"} run=${runId} (logs: ${logPath})`,
  );
  await runMigrations(dbUrl);
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const seedSeconds = await seed(client);
  console.log(`seeded ${fmt(devices)} devices in ${seedSeconds.toFixed(1)} s`);

  const nc = await connect({ servers: natsServers(natsUrl), name: "bench" });
  const jsm = await jetstreamManager(nc);
  await provisionStreams(jsm, prefix, replicas);
  const names = natsNames(prefix);

  const log = createWriteStream(logPath);
  const proberKey = randomBytes(32).toString("base64");
  const baseEnv = {
    DATABASE_URL: dbUrl,
    NATS_URL: natsUrl,
    NATS_PREFIX: prefix,
    NATS_STREAM_REPLICAS: String(replicas),
    LOG_LEVEL: process.env.LOG_LEVEL ?? "info",
    NODE_ENV: "production",
    FANOUT_BATCH_SIZE: args["batch-size"],
  };
  const services = await startWorkers({
    env: baseEnv,
    // Production refuses to start a prober without a credential key (the simulated driver needs none).
    proberEnv: { CREDENTIAL_KEY: proberKey },
    probers,
    aggregators,
    log,
    cpuProf: args["cpu-prof"],
  });
  const peak = new Map(services.map((s) => [s.name, 0]));
  const stopAll = async () => {
    for (const s of services) {
      peak.set(s.name, Math.max(peak.get(s.name), rss(s.proc.pid, "VmHWM")));
      s.proc.child.kill("SIGTERM");
    }
    const results = await Promise.all(services.map((s) => s.proc.exited));
    return services.map((s, i) => ({ name: s.name, ...results[i] }));
  };

  let exitCode = 0;
  try {
    // Generous: on a loaded 2-core machine a service can take more than the default 30 s to come up.
    await Promise.all(services.map((s) => s.proc.waitUntilReady({ timeoutMs: 120_000 })));
    const scheduler = services[0];
    const aggregatorServices = services.filter((s) => s.name.startsWith("aggregator"));
    const proberServices = services.filter((s) => s.name.startsWith("prober-"));

    // The first job message on the wire (a core subscription sees every publish to the subject).
    let firstJobAt;
    const sub = nc.subscribe(names.subjects.jobsAll, { max: 1, callback: () => (firstJobAt ??= Date.now()) });

    const request = {
      operation_type: "bulk_serial_sync",
      target_organizations: [1],
      device_filters: {},
      schedule: { execute_at: new Date().toISOString(), priority: "normal" },
      options: { update_firmware_info: true, validate_connectivity: false, timeout_minutes: 60 },
    };
    // The state machine's own insert (operation + outbox row); no relay runs here, so the event is
    // published directly, under the id the relay would use.
    if (args.statements) {
      await client.query("CREATE EXTENSION IF NOT EXISTS pg_stat_statements");
      await client.query("SELECT pg_stat_statements_reset()");
    }
    await client.query("BEGIN");
    const { row, event } = await insertOperation(client, prefix, { request, targetCount: devices });
    await client.query("COMMIT");
    const opId = row.id;
    const js = jetstream(nc);
    await publishJson(js, names.subjects.operationCreated, event, operationCreatedMsgId(opId));
    const createdAt = Date.now();
    const benchDb = `ho_bench_${runId}`;
    const cpuBefore = {
      postgres: cpuSeconds("postgres"),
      backends: cpuSeconds("postgres", benchDb),
      nats: natsCpu(),
    };
    const serviceCpuBefore = new Map(services.map((s) => [s.name, cpuSeconds(s.proc.pid)]));

    const stages = [
      stage("fan-out (jobs published)", [scheduler], "scheduler_devices_published_total"),
      stage("probe (devices reported)", proberServices, "prober_devices_total"),
      stage("fold (ledger rows moved)", aggregatorServices, "aggregator_results_folded_total"),
    ];
    const kill = killAt === undefined ? undefined : { at: killAt, victim: proberServices[0] };
    let op;
    while (Date.now() - createdAt < timeoutMs) {
      await sleep(100);
      for (const s of services) peak.set(s.name, Math.max(peak.get(s.name), rss(s.proc.pid, "VmRSS")));
      await Promise.all(
        stages.map(async (st) => {
          // A killed service answers nothing: keep its last figure.
          st.seen ??= new Map();
          const values = await Promise.all(st.service.map((svc) => scrape(svc, st.metric)));
          for (const [i, svc] of st.service.entries())
            st.seen.set(svc.name, Math.max(st.seen.get(svc.name) ?? 0, values[i]));
          st.value = [...st.seen.values()].reduce((a, b) => a + b, 0);
          const now = Date.now();
          if (st.value > 0 && st.first === undefined) st.first = now;
          if (st.value >= devices && st.last === undefined) st.last = now;
        }),
      );
      const res = await client.query(
        `SELECT status, processed_devices, failed_devices, total_devices, started_at, finished_at
           FROM operations WHERE id = $1`,
        [opId],
      );
      op = res.rows[0];
      if (kill) await watchKill(kill, stages[1].value, jsm, names);
      if (!["scheduled", "in_progress"].includes(op.status)) break;
    }
    sub.unsubscribe();
    const sumOf = async (metric) =>
      (await Promise.all(aggregatorServices.map((a) => scrape(a, metric)))).reduce((x, y) => x + y, 0);
    const folds = await sumOf("aggregator_fold_duration_seconds_count");
    const foldSeconds = await sumOf("aggregator_fold_duration_seconds_sum");
    const foldResults = await sumOf("aggregator_batch_results_sum");
    // A killed prober's CPU is what it had used when it was killed.
    const cpuNow = (s) =>
      s === kill?.victim && kill.cpuAtKill !== undefined ? kill.cpuAtKill : cpuSeconds(s.proc.pid);
    const cpu = new Map(services.map((s) => [s.name, cpuNow(s) - serviceCpuBefore.get(s.name)]));
    cpu.set("postgres (this database)", cpuSeconds("postgres", benchDb) - cpuBefore.backends);
    cpu.set("postgres (whole server)", cpuSeconds("postgres") - cpuBefore.postgres);
    cpu.set(natsCluster ? `nats-server ×${clusterSize}` : "nats-server", natsCpu() - cpuBefore.nats);
    if (op?.status !== "completed") throw new Error(`operation ended as ${op?.status} (not completed)`);
    const finishedAt = op.finished_at.getTime();
    const seconds = (finishedAt - firstJobAt) / 1000;

    const check = await client.query(
      `SELECT count(*)::int AS rows, count(DISTINCT device_id)::int AS distinct_devices,
              (count(*) FILTER (WHERE status = 'succeeded'))::int AS succeeded,
              (count(*) FILTER (WHERE status NOT IN ('succeeded', 'failed', 'cancelled')))::int AS not_terminal
         FROM operation_devices WHERE operation_id = $1`,
      [opId],
    );
    const synced = await client.query(
      `SELECT (count(*) FILTER (WHERE serial IS NOT NULL AND last_seen IS NOT NULL))::int AS n,
              (count(*) FILTER (WHERE updated_at >= $1))::int AS written
         FROM devices`,
      [op.started_at],
    );
    const c = check.rows[0];
    const exact =
      c.rows === devices &&
      c.distinct_devices === devices &&
      c.succeeded === devices &&
      c.not_terminal === 0 &&
      op.processed_devices === devices &&
      op.total_devices === devices &&
      synced.rows[0].n === devices &&
      // Unchanged fleet: no device row written; otherwise every one (each serial was new).
      synced.rows[0].written === (args.unchanged ? 0 : devices);

    console.log("");
    console.log(
      `claim + ledger snapshot: ${((firstJobAt - op.started_at.getTime()) / 1000).toFixed(2)} s (started_at → first job)`,
    );
    console.log(
      `RESULT  ${fmt(devices / seconds)} devices/s  (${fmt(devices)} devices, first job → completed in ${seconds.toFixed(2)} s)`,
    );
    console.log(`        end to end from insert: ${((finishedAt - createdAt) / 1000).toFixed(2)} s`);
    for (const st of stages) {
      const span = st.first !== undefined && st.last !== undefined ? (st.last - st.first) / 1000 : Number.NaN;
      const untilDone = st.last !== undefined ? ((st.last - firstJobAt) / 1000).toFixed(2) : "n/a";
      console.log(
        `  ${st.name.padEnd(28)} ${Number.isNaN(span) ? "n/a" : `${fmt(devices / Math.max(span, 0.1))} devices/s`}  (done ${untilDone} s after first job; 100 ms sampling)`,
      );
    }
    console.log(
      `  folds: ${folds} transactions, ${fmt(foldResults / folds)} results each, ${((1000 * foldSeconds) / folds).toFixed(0)} ms each on average`,
    );
    if (kill) printKill(kill, finishedAt);
    console.log(
      `CPU seconds during the run (2 cores = ${((2 * (Date.now() - createdAt)) / 1000).toFixed(1)} available):`,
    );
    for (const [name, seconds] of cpu) console.log(`  ${name.padEnd(24)} ${seconds.toFixed(2)}`);
    const perDevice = (name) => ((1e6 * cpu.get(name)) / devices).toFixed(1);
    console.log(
      `Postgres CPU per device: ${perDevice("postgres (this database)")} µs (this database's backends), ${perDevice("postgres (whole server)")} µs (every postgres process on the machine)`,
    );
    if (args.statements) await printStatements(client, devices);
    const exits = await stopAll();
    console.log("peak RSS (VmHWM):");
    for (const [name, mb] of peak) console.log(`  ${name.padEnd(12)} ${mb.toFixed(0)} MB`);
    for (const e of exits) if (e.code !== 0) console.log(`  ! ${e.name} exited with ${e.code ?? e.signal}`);
    console.log(
      `check: ledger rows=${fmt(c.rows)} distinct=${fmt(c.distinct_devices)} succeeded=${fmt(c.succeeded)} ` +
        `non-terminal=${c.not_terminal} processed=${fmt(op.processed_devices)} inventory-synced=${fmt(synced.rows[0].n)} device-rows-written=${fmt(synced.rows[0].written)}${args.unchanged ? " (unchanged fleet: 0 expected)" : ""} → ${exact ? "EXACT" : "MISMATCH"}`,
    );
    if (!exact) exitCode = 1;
    if (args["result-file"]) {
      const rate = (st) =>
        st.first !== undefined && st.last !== undefined
          ? devices / Math.max((st.last - st.first) / 1000, 0.1)
          : null;
      const figures = {
        devices,
        replicas,
        natsNodes: clusterSize ?? 1,
        devicesPerSecond: devices / seconds,
        seconds,
        stages: Object.fromEntries(stages.map((st) => [st.name, rate(st)])),
        natsCpuSeconds: cpu.get(natsCluster ? `nats-server ×${clusterSize}` : "nats-server"),
        postgresMicrosPerDevice: (1e6 * cpu.get("postgres (this database)")) / devices,
        unchanged: args.unchanged,
        exact,
      };
      writeFileSync(args["result-file"], `${JSON.stringify(figures)}\n`);
    }
  } catch (err) {
    console.error(`bench failed: ${err instanceof Error ? err.message : err}`);
    exitCode = 1;
    await stopAll();
  } finally {
    log.end();
    for await (const name of jsm.streams.names())
      if (name.startsWith(`${prefix}_`)) await jsm.streams.delete(name);
    await nc.close();
    await client.end();
    if (!args["keep-db"]) {
      const admin = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
      await admin.connect();
      await admin.query(`DROP DATABASE IF EXISTS "ho_bench_${runId}" WITH (FORCE)`);
      await admin.end();
    }
    await ownPostgres?.stop();
    await natsCluster?.stop();
    await ownNats?.stop();
  }
  process.exit(exitCode);
}

(args["compare-replicas"] ? compareReplicas(process.argv.slice(2), Number(args.rounds)) : main()).catch(
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
