import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  type Env,
  ledgerCounts,
  publishResults,
  seedOperation,
  startEnv,
  waitProcessed,
} from "./fixtures.js";

let env: Env;
beforeAll(async () => {
  env = await startEnv();
});
afterAll(() => env.close());

const settle = () => new Promise((r) => setTimeout(r, 300));

const cisco = (firmware: string) => ({ serial: "S", vendor: "Cisco", model: "C9300-48P", firmware });

async function summary(op: string) {
  const res = await env.db.pool.query(
    `SELECT compliance_compliant AS compliant, compliance_non_compliant AS non_compliant,
            compliance_unknown AS unknown FROM operations WHERE id = $1`,
    [op],
  );
  return res.rows[0];
}

/** The verdicts the ledger holds, by verdict (what the counters must equal). */
async function ledgerVerdicts(op: string) {
  const res = await env.db.pool.query<{ verdict: string; n: number }>(
    `SELECT coalesce(observed->'compliance'->>'verdict', 'unknown') AS verdict, count(*)::int AS n
       FROM operation_devices WHERE operation_id = $1 AND status <> 'pending' GROUP BY 1`,
    [op],
  );
  return {
    compliant: 0,
    non_compliant: 0,
    unknown: 0,
    ...Object.fromEntries(res.rows.map((r) => [r.verdict, r.n])),
  };
}

describe("aggregator: compliance_report verdicts", () => {
  it("judges at fold time with the baselines frozen at the claim, and never counts a redelivery twice", async () => {
    await env.db.pool.query(
      "INSERT INTO compliance_baselines (organization_id, vendor, model_pattern, min_firmware) VALUES (101, 'Cisco', 'C9300-*', '17.12.3')",
    );
    const { op, ids } = await seedOperation(
      env,
      "compliance_report",
      Array.from({ length: 12 }, () => ({})),
    );
    // Edited after the claim: the run still judges with the copy (>= 17.12.3).
    await env.db.pool.query(
      "UPDATE compliance_baselines SET min_firmware = '99.0' WHERE organization_id = 101",
    );
    expect(await summary(op)).toEqual({ compliant: 0, non_compliant: 0, unknown: 0 });

    const first = [
      ...ids.slice(0, 4).map((id) => ({ device_id: id, observed: cisco("17.9.4a") })),
      ...ids.slice(4, 7).map((id) => ({ device_id: id, observed: cisco("17.12.3") })),
      ...ids
        .slice(7, 9)
        .map((id) => ({ device_id: id, outcome: "failed" as const, error_code: "unreachable" as const })),
      // No baseline matches a Juniper device: unknown.
      { device_id: ids[9] as string, observed: { vendor: "Juniper", model: "MX204", firmware: "21.4R3-S5" } },
    ];
    await publishResults(env, op, "compliance_report", first);
    await waitProcessed(env, op, 10);
    expect(await summary(op)).toEqual({ compliant: 3, non_compliant: 4, unknown: 3 });

    // A redelivery of the same batch, and contradicting results for the same devices: nothing moves.
    await publishResults(env, op, "compliance_report", first);
    await publishResults(
      env,
      op,
      "compliance_report",
      ids.slice(0, 10).map((id) => ({ device_id: id, observed: cisco("17.12.3") })),
    );
    await settle();
    expect(await summary(op)).toEqual({ compliant: 3, non_compliant: 4, unknown: 3 });

    // The last two, one of them twice in one batch.
    await publishResults(env, op, "compliance_report", [
      { device_id: ids[10] as string, observed: cisco("17.6.5") },
      { device_id: ids[10] as string, observed: cisco("17.12.3") },
      { device_id: ids[11] as string, observed: cisco("17.15.1") },
    ]);
    await waitProcessed(env, op, 12);
    const done = await summary(op);
    expect(done).toEqual({ compliant: 4, non_compliant: 5, unknown: 3 });
    expect(await ledgerVerdicts(op)).toEqual(done);
    expect(await ledgerCounts(env, op)).toEqual({ terminal: 12, failed: 2 });
    const stored = await env.db.pool.query(
      "SELECT observed->'compliance' AS c FROM operation_devices WHERE operation_id = $1 AND device_id = $2",
      [op, ids[0]],
    );
    expect(stored.rows[0].c).toEqual({
      verdict: "non_compliant",
      rule: "firmware_below_minimum",
      observed: "17.9.4a",
      required: ">= 17.12.3",
    });
  });

  it("reads the recorded model for a model rule, and a device without any observed value", async () => {
    await env.db.pool.query("DELETE FROM compliance_baselines");
    await env.db.pool.query(
      "INSERT INTO compliance_baselines (organization_id, vendor, model_must_match_inventory) VALUES (101, 'Cisco', true)",
    );
    const { op, ids } = await seedOperation(env, "compliance_report", [{}, {}, {}]);
    await env.db.pool.query("UPDATE devices SET model = 'C9300-48P' WHERE id = ANY($1::bigint[])", [
      ids.slice(0, 2),
    ]);
    await publishResults(env, op, "compliance_report", [
      { device_id: ids[0] as string, observed: cisco("17.9.4a") },
      { device_id: ids[1] as string, observed: { ...cisco("17.9.4a"), model: "C9200L-24T" } },
      { device_id: ids[2] as string },
    ]);
    await waitProcessed(env, op, 3);
    expect(await summary(op)).toEqual({ compliant: 1, non_compliant: 1, unknown: 1 });
    const rule = await env.db.pool.query(
      "SELECT observed->'compliance' AS c FROM operation_devices WHERE operation_id = $1 AND device_id = $2",
      [op, ids[1]],
    );
    expect(rule.rows[0].c).toEqual({
      verdict: "non_compliant",
      rule: "model_must_match_inventory",
      observed: "C9200L-24T",
      required: "C9300-48P",
    });
  });

  it("keeps the counters null for other operation types", async () => {
    const { op, ids } = await seedOperation(env, "status_refresh", [{}, {}]);
    await publishResults(
      env,
      op,
      "status_refresh",
      ids.map((id) => ({ device_id: id, observed: cisco("17.9.4a") })),
    );
    await waitProcessed(env, op, 2);
    expect(await summary(op)).toEqual({ compliant: null, non_compliant: null, unknown: null });
    const frozen = await env.db.pool.query("SELECT compliance_baselines FROM operations WHERE id = $1", [op]);
    expect(frozen.rows[0].compliance_baselines).toBeNull();
  });
});
