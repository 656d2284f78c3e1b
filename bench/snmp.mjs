// SNMP pipeline benchmark: `npm run bench:snmp -- --devices 10000 --probers 2`.
// Serves N devices from the fleet simulator (its own process, real UDP on loopback), stores them with
// sealed SNMP credentials, starts the scheduler, the aggregator and P probers from dist/, runs one
// bulk_serial_sync with update_firmware_info over all of them and prints devices/s from the first job
// to `completed`, CPU seconds per process and peak RSS; then checks that every serial, model and firmware
// in the inventory equals the simulator's.
import { randomBytes, randomInt } from "node:crypto";
import { createWriteStream, readFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { jetstream, jetstreamManager, provisionStreams, publishJson } from "@headless-ops/bus";
import { natsNames, operationCreatedMsgId } from "@headless-ops/contracts";
import { insertOperation, runMigrations } from "@headless-ops/db";
import { buildFleet, credentialsOf } from "@headless-ops/device-sim";
import { createCredentialSealer } from "@headless-ops/runtime";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { startBenchProcess, startWorkers } from "./processes.mjs";

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "10000" },
    probers: { type: "string", default: "2" },
    "v3-share": { type: "string", default: "0" },
    seed: { type: "string", default: "7" },
    "timeout-s": { type: "string", default: "300" },
    /** Prober entry point (default services/prober/dist/main.js). */
    "prober-script": { type: "string", default: "services/prober/dist/main.js" },
    /** Write a V8 CPU profile of every process into this directory. */
    "cpu-prof": { type: "string" },
  },
});
const devices = Number(args.devices);
const probers = Number(args.probers);
const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const natsUrl = process.env.NATS_URL ?? "nats://127.0.0.1:4222";
const runId = randomBytes(3).toString("hex");
const dbName = `ho_bench_snmp_${runId}`;
const dbUrl = Object.assign(new URL(serverUrl), { pathname: `/${dbName}` }).toString();
const prefix = `benchsnmp${runId}`;
const logPath = `/tmp/bench-snmp-${runId}.log`;
const key = randomBytes(32).toString("base64");
const fleetOptions = {
  devices,
  seed: Number(args.seed),
  addressBase: `127.${randomInt(20, 250)}.0.0`,
  port: 1161,
  v3Share: Number(args["v3-share"]),
  faultRate: 0,
};
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const fmt = (n) => Math.round(n).toLocaleString("en-US");

function procStat(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const hwm = readFileSync(`/proc/${pid}/status`, "utf8").match(/VmHWM:\s+(\d+)/)?.[1];
    return { cpu: (Number(f[11]) + Number(f[12])) / 100, rssMb: Number(hwm ?? 0) / 1024 };
  } catch {
    return { cpu: 0, rssMb: 0 };
  }
}

async function seedDevices(client, fleet) {
  // Credentials are sealed bound to their device id, so ids are drawn first.
  const sealer = createCredentialSealer(key);
  await client.query("INSERT INTO organizations (id, name) VALUES (101, 'a'), (102, 'b'), (103, 'c')");
  for (let i = 0; i < fleet.length; i += 5_000) {
    const chunk = fleet.slice(i, i + 5_000);
    const { rows } = await client.query(
      "SELECT nextval(pg_get_serial_sequence('devices', 'id'))::text AS id FROM generate_series(1, $1::int)",
      [chunk.length],
    );
    const ids = rows.map((r) => r.id);
    const binding = (d, j) => ({
      deviceId: ids[j],
      organizationId: d.organizationId,
      address: d.address,
      port: d.port,
    });
    await client.query(
      `INSERT INTO devices (id, organization_id, hostname, device_type, status, mgmt_address, mgmt_port, driver, credentials)
       SELECT * FROM unnest($9::bigint[], $1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[], $8::bytea[])`,
      [
        chunk.map((d) => d.organizationId),
        chunk.map((d) => d.hostname),
        chunk.map((d) => d.deviceType),
        chunk.map(() => "active"),
        chunk.map((d) => d.address),
        chunk.map((d) => d.port),
        chunk.map(() => "snmp"),
        chunk.map((d, j) => sealer.seal(credentialsOf(d.inventoryAccess), binding(d, j))),
        ids,
      ],
    );
  }
  await client.query("VACUUM ANALYZE devices");
}

async function main() {
  console.log(
    `bench:snmp devices=${fmt(devices)} probers=${probers} v3-share=${fleetOptions.v3Share} (logs: ${logPath})`,
  );
  const log = createWriteStream(logPath);
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE "${dbName}"`);
  await runMigrations(dbUrl);
  const client = new pg.Client({ connectionString: dbUrl });
  await client.connect();
  const fleet = buildFleet(fleetOptions); // the simulator process serves this same fleet
  await seedDevices(client, fleet);

  const simArgs = ["--devices", String(devices), "--seed", args.seed, "--port", "1161", "--fault-rate", "0"];
  simArgs.push(
    "--address-base",
    fleetOptions.addressBase,
    "--v3-share",
    String(fleetOptions.v3Share),
    "--latency",
    "0",
  );
  const sim = startBenchProcess({
    name: "sim",
    script: "libs/device-sim/dist/cli.js",
    args: simArgs,
    log,
    cpuProf: args["cpu-prof"],
  });
  // The simulator's first stdout line is its ready report (JSON).
  const ready = await sim.proc.waitForLog((r) => typeof r.startupMs === "number", 120_000);
  console.log(`simulator: ${fmt(ready.devices)} devices up in ${ready.startupMs} ms (${ready.rssMb} MB)`);

  const nc = await connect({ servers: natsUrl, name: "bench-snmp" });
  const jsm = await jetstreamManager(nc);
  await provisionStreams(jsm, prefix, 1);
  const names = natsNames(prefix);
  const env = {
    DATABASE_URL: dbUrl,
    NATS_URL: natsUrl,
    NATS_PREFIX: prefix,
    LOG_LEVEL: "info",
    NODE_ENV: "production",
  };
  Object.assign(env, { CREDENTIAL_KEY: key, ALLOW_LOOPBACK: "true" });
  const services = await startWorkers({
    env,
    probers,
    proberScript: args["prober-script"],
    log,
    cpuProf: args["cpu-prof"],
  });
  const all = [...services, sim].map((s) => Object.assign(s, { last: { cpu: 0, rssMb: 0 } }));
  let exitCode = 0;
  try {
    await Promise.all(services.map((s) => s.proc.waitUntilReady()));
    let firstJobAt;
    const sub = nc.subscribe(names.subjects.jobsAll, { max: 1, callback: () => (firstJobAt ??= Date.now()) });
    const before = new Map(all.map((s) => [s.name, procStat(s.proc.pid).cpu]));
    const request = {
      operation_type: "bulk_serial_sync",
      target_organizations: [101, 102, 103],
      device_filters: {},
      schedule: { execute_at: new Date().toISOString(), priority: "normal" },
      options: { update_firmware_info: true, validate_connectivity: false, timeout_minutes: 60 },
    };
    // The state machine's own insert (operation + outbox row); no relay runs here, so the event is
    // published directly, under the id the relay would use.
    await client.query("BEGIN");
    const { row, event } = await insertOperation(client, prefix, { request, targetCount: devices });
    await client.query("COMMIT");
    const opId = row.id;
    await publishJson(jetstream(nc), names.subjects.operationCreated, event, operationCreatedMsgId(opId));
    let op;
    for (
      const deadline = Date.now() + Number(args["timeout-s"]) * 1000;
      Date.now() < deadline;
      await sleep(100)
    ) {
      for (const s of all) s.last = procStat(s.proc.pid);
      op = (
        await client.query(
          "SELECT status, processed_devices, failed_devices, error_summary, finished_at FROM operations WHERE id = $1",
          [opId],
        )
      ).rows[0];
      if (!["scheduled", "in_progress"].includes(op.status)) break;
    }
    sub.unsubscribe();
    if (!op?.finished_at) throw new Error(`operation did not finish: ${JSON.stringify(op)}`);
    const seconds = (op.finished_at.getTime() - firstJobAt) / 1000;
    const inventory = await client.query("SELECT hostname, serial, model, firmware FROM devices");
    const byHost = new Map(inventory.rows.map((r) => [r.hostname, r]));
    const wrong = fleet.filter((d) => {
      const r = byHost.get(d.hostname);
      return r?.serial !== d.serial || r?.model !== d.model || r?.firmware !== d.firmware;
    }).length;
    console.log(
      `\nRESULT  ${fmt(devices / seconds)} devices/s over SNMP (${fmt(devices)} devices, first job → ${op.status} in ${seconds.toFixed(2)} s)`,
    );
    console.log(`        failed=${op.failed_devices} error_summary=${JSON.stringify(op.error_summary)}`);
    console.log("CPU seconds during the run / peak RSS:");
    for (const s of all)
      console.log(
        `  ${s.name.padEnd(12)} ${(s.last.cpu - before.get(s.name)).toFixed(2)} s  ${s.last.rssMb.toFixed(0)} MB`,
      );
    console.log(
      `check: inventory equals the simulator for ${fmt(devices - wrong)}/${fmt(devices)} devices → ${wrong === 0 ? "EXACT" : "MISMATCH"}`,
    );
    if (wrong > 0 || op.status !== "completed") exitCode = 1;
  } catch (err) {
    console.error(`bench failed: ${err instanceof Error ? err.message : err}`);
    exitCode = 1;
  } finally {
    for (const s of all) s.proc.child.kill("SIGTERM");
    await Promise.all(all.map((s) => s.proc.exited));
    log.end();
    for await (const name of jsm.streams.names())
      if (name.startsWith(`${prefix}_`)) await jsm.streams.delete(name);
    await nc.close();
    await client.end();
    await admin.query(`DROP DATABASE IF EXISTS "${dbName}" WITH (FORCE)`);
    await admin.end();
  }
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
