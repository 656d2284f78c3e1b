// Compliance fold benchmark: `npm run bench:compliance-fold [-- --devices 100000 --batch 5000]`.
// Seeds N devices in one organization with three firmware baselines, claims a status_refresh and a
// compliance_report operation over them (the scheduler's claim: ledger snapshot, frozen baselines),
// then folds every device's result through libs/db foldResults in batches of `--batch` (the
// aggregator's AGGREGATOR_BATCH_MAX default), one transaction each, as the aggregator does,
// alternating batch by batch between the status_refresh (no judging) and the compliance_report
// (judged with the frozen copy) so the machine's noise hits both alike. Prints the fold time per
// device of each, the extra cost of judging and the JS judging alone (timed apart), and checks compliance_summary
// against the ledger (exact) and against what the seed implies. Then times the operation GET query.
import { randomBytes } from "node:crypto";
import { parseArgs } from "node:util";
import {
  claimDueOperation,
  FrozenBaselineCache,
  foldResults,
  insertOperation,
  judgeCompliance,
  withTransaction,
} from "@headless-ops/db";
import { createTemplateDatabase, createTestDatabase, dropDatabase } from "@headless-ops/testkit";
import pg from "pg";

const { values: args } = parseArgs({
  options: { devices: { type: "string", default: "100000" }, batch: { type: "string", default: "5000" } },
});
const devices = Number(args.devices);
const batch = Number(args.batch);
const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";
const runId = `cf${randomBytes(3).toString("hex")}`;
const FIRMWARES = ["17.6.5", "17.9.4a", "17.12.3"];

async function seed(pool) {
  await pool.query("INSERT INTO organizations (id, name) VALUES (101, 'bench')");
  await pool.query(
    `INSERT INTO devices (organization_id, hostname, device_type, status, model, vendor)
     SELECT 101, 'cf-' || i, 'router', 'active', 'C9300-48P', 'Cisco' FROM generate_series(1, $1::int) i`,
    [devices],
  );
  await pool.query(
    `INSERT INTO compliance_baselines (organization_id, vendor, model_pattern, min_firmware, serial_required)
     VALUES (101, 'Cisco', 'C9300-*', '17.9.4a', true), (101, 'Juniper', 'MX*', '21.4R3', false),
            (101, 'Arista', '*', '4.30.2F', false)`,
  );
}

async function claim(pool, type) {
  return withTransaction(pool, async (c) => {
    const request = {
      operation_type: type,
      target_organizations: [101],
      device_filters: {},
      schedule: { execute_at: new Date(Date.now() - 1000).toISOString(), priority: "normal" },
      options: { update_firmware_info: false, validate_connectivity: false, timeout_minutes: 600 },
    };
    await insertOperation(c, runId, { request, targetCount: devices });
    return claimDueOperation(c, runId);
  });
}

async function ledgerIds(pool, op) {
  const res = await pool.query(
    "SELECT device_id::text AS id FROM operation_devices WHERE operation_id = $1 ORDER BY device_id",
    [op],
  );
  return res.rows.map((r) => r.id);
}

function resultsOf(op, ids, from) {
  const now = Date.now();
  return ids.map((id, k) => {
    const n = from + k;
    const failed = n % 20 === 0;
    return {
      operationId: op,
      deviceId: id,
      outcome: failed ? "failed" : "succeeded",
      errorCode: failed ? "unreachable" : null,
      errorMessage: null,
      observed: failed
        ? null
        : JSON.stringify({
            serial: `S${n}`,
            vendor: "Cisco",
            model: "C9300-48P",
            firmware: FIRMWARES[n % 3],
          }),
      attempts: 1,
      startedAt: now,
      finishedAt: now,
    };
  });
}

/**
 * Folds both operations batch by batch, alternating (plain batch i, then compliance batch i), so a
 * noisy machine slows both alike; returns the fold milliseconds of each.
 */
async function foldBoth(pool, plainOp, compOp) {
  const ids = { plain: await ledgerIds(pool, plainOp), comp: await ledgerIds(pool, compOp) };
  const cache = new FrozenBaselineCache();
  const ms = { plain: 0, comp: 0 };
  for (let i = 0; i < devices; i += batch) {
    for (const [key, op] of [
      ["plain", plainOp],
      ["comp", compOp],
    ]) {
      const rows = resultsOf(op, ids[key].slice(i, i + batch), i);
      const t0 = performance.now();
      await withTransaction(pool, (c) => foldResults(c, runId, rows, new Map(), { frozen: cache }));
      ms[key] += performance.now() - t0;
    }
  }
  // The judging alone (JS, the cache warm, no inventory lookup for a one-organization run), timed apart.
  const all = resultsOf(compOp, ids.comp, 0);
  const tj = performance.now();
  for (let i = 0; i < devices; i += batch) await judgeCompliance(pool, all.slice(i, i + batch), cache);
  ms.judge = performance.now() - tj;
  return ms;
}

const template = await createTemplateDatabase(serverUrl, runId);
const db = await createTestDatabase(serverUrl, template);
const pool = new pg.Pool({ connectionString: db.ownerUrl, max: 2 });
try {
  await seed(pool);
  const plain = await claim(pool, "status_refresh");
  const comp = await claim(pool, "compliance_report");
  const { plain: plainMs, comp: compMs, judge: judgeMs } = await foldBoth(pool, plain.id, comp.id);
  const row = (
    await pool.query(
      "SELECT compliance_compliant AS c, compliance_non_compliant AS nc, compliance_unknown AS u, status FROM operations WHERE id = $1",
      [comp.id],
    )
  ).rows[0];
  const ledger = (
    await pool.query(
      `SELECT count(*) FILTER (WHERE observed->'compliance'->>'verdict' = 'compliant')::int AS c,
              count(*) FILTER (WHERE observed->'compliance'->>'verdict' = 'non_compliant')::int AS nc
         FROM operation_devices WHERE operation_id = $1`,
      [comp.id],
    )
  ).rows[0];
  let wantNc = 0;
  for (let n = 0; n < devices; n++) if (n % 20 !== 0 && n % 3 === 0) wantNc++;
  const wantU = Math.ceil(devices / 20);
  const exact =
    row.c === ledger.c &&
    row.nc === ledger.nc &&
    row.nc === wantNc &&
    row.u === wantU &&
    row.c + row.nc + row.u === devices;
  const t0 = performance.now();
  for (let i = 0; i < 100; i++)
    await pool.query(
      "SELECT compliance_compliant, compliance_non_compliant, compliance_unknown FROM operations WHERE id = $1",
      [comp.id],
    );
  const getUs = ((performance.now() - t0) / 100) * 1000;
  const us = (ms) => ((ms * 1000) / devices).toFixed(1);
  console.log(
    JSON.stringify({
      devices,
      batch,
      status_refresh_fold_us_per_device: Number(us(plainMs)),
      compliance_fold_us_per_device: Number(us(compMs)),
      judge_js_us_per_device: Number(us(judgeMs)),
      judging_overhead_pct: Math.round(((compMs - plainMs) / plainMs) * 100),
      summary: { compliant: row.c, non_compliant: row.nc, unknown: row.u },
      status: row.status,
      exact,
      summary_read_us: Math.round(getUs),
    }),
  );
  if (!exact) process.exitCode = 1;
} finally {
  await pool.end();
  await db.drop();
  await dropDatabase(serverUrl, template);
}
