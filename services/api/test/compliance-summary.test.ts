import { type ComplianceSummary, type ComplianceVerdict, compareFirmware } from "@headless-ops/contracts";
import {
  claimDueOperation,
  type FoldRow,
  foldResults,
  recountOperations,
  withTransaction,
} from "@headless-ops/db";
import { buildFleet, type DeviceSpec, expectedProbe, families } from "@headless-ops/device-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, OPS, referenceBody, startHarness } from "./harness.js";

/*
 * compliance_summary and the report over the simulator's fleet: the results are what the SNMP driver
 * reports for each device (the simulator's oracle), folded by the aggregator's fold (libs/db
 * foldResults) into a real Postgres, then read through the API as a user would.
 */

const BASELINES = "/api/v1/compliance/baselines/";
let h: Harness;
let auth: string;
const fleet = buildFleet({ devices: 900, seed: 14, faultRate: 0.15 });
const idOf = new Map<string, string>();

/** Per family, the newest image is the minimum: exactly the older images violate it. */
const newest = new Map(
  families.map((f) => [
    f.model,
    [...f.firmwares].sort((a, b) => compareFirmware(a, b) ?? 0).at(-1) as string,
  ]),
);
/** Organizations 101 and 102 have the baselines; 103 has none (its devices are unknown). */
const BASELINED = new Set([101, 102]);

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102, 103])).auth;
  const res = await h.db.pool.query<{ id: string; hostname: string }>(
    `INSERT INTO devices (organization_id, hostname, device_type, model, vendor)
     SELECT * FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[])
     RETURNING id::text, hostname`,
    [
      fleet.map((d) => d.organizationId),
      fleet.map((d) => d.hostname),
      fleet.map((d) => d.deviceType),
      fleet.map((d) => d.model),
      fleet.map((d) => d.vendor),
    ],
  );
  for (const r of res.rows) idOf.set(r.hostname, r.id);
  for (const org of BASELINED) {
    for (const f of families) {
      const created = await call("POST", BASELINES, {
        organization_id: org,
        vendor: f.vendor,
        model_pattern: f.model,
        min_firmware: newest.get(f.model),
      });
      expect(created.statusCode).toBe(201);
    }
  }
});
afterAll(() => h?.close());

function call(method: "GET" | "POST" | "PATCH", url: string, payload?: Record<string, unknown>) {
  return h.app.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) });
}

/** What the verdict of a device must be, from the simulator's oracle alone. */
function expectedVerdict(d: DeviceSpec): ComplianceVerdict {
  const probe = expectedProbe(d);
  if (probe.ok !== true || !BASELINED.has(d.organizationId)) return "unknown";
  return d.firmware === newest.get(d.model) ? "compliant" : "non_compliant";
}

function countOf(verdicts: ComplianceVerdict[]): ComplianceSummary {
  const s = { compliant: 0, non_compliant: 0, unknown: 0 };
  for (const v of verdicts) s[v] += 1;
  return s;
}

/** A device's result as the prober reports it; a flapping device is taken as unreachable. */
function resultOf(op: string, d: DeviceSpec): FoldRow {
  const probe = expectedProbe(d);
  const now = Date.now();
  const base = {
    operationId: op,
    deviceId: idOf.get(d.hostname) as string,
    attempts: 1,
    startedAt: now,
    finishedAt: now,
  };
  if (probe.ok === true) {
    const { ok: _ok, ...observed } = probe;
    return {
      ...base,
      outcome: "succeeded",
      errorCode: null,
      errorMessage: null,
      observed: JSON.stringify(observed),
    };
  }
  const code = probe.ok === false ? probe.code : "unreachable";
  return { ...base, outcome: "failed", errorCode: code, errorMessage: code, observed: null };
}

async function startCompliance(): Promise<string> {
  const created = await call("POST", OPS, {
    ...referenceBody([101, 102, 103]),
    operation_type: "compliance_report",
    device_filters: undefined,
  });
  expect(created.statusCode).toBe(201);
  const claimed = await withTransaction(h.db.pool, (c) => claimDueOperation(c, h.ctx.natsPrefix));
  expect(claimed?.id).toBe(created.json().id);
  expect(claimed?.totalDevices).toBe(fleet.length);
  return created.json().id;
}

async function fold(rows: FoldRow[], chunk = 100): Promise<void> {
  for (let i = 0; i < rows.length; i += chunk) {
    await withTransaction(h.db.pool, (c) => foldResults(c, h.ctx.natsPrefix, rows.slice(i, i + chunk)));
  }
}

const details = async (op: string) =>
  (await call("GET", `${OPS}?id=${op}`)).json().results[0].operation_details;

async function reportVerdicts(
  op: string,
): Promise<Map<string, { compliance: string; compliance_rule: string | null }>> {
  const rows = (await call("GET", `${OPS}${op}/report?format=json`)).json().results;
  return new Map(rows.map((r: { hostname: string }) => [r.hostname, r]));
}

describe("compliance_summary over the simulator's fleet", () => {
  let op: string;
  const expected = new Map(fleet.map((d) => [d.hostname, expectedVerdict(d)]));

  it("flags exactly the older images non_compliant, in the summary and in the report", async () => {
    op = await startCompliance();
    expect((await details(op)).compliance_summary).toEqual({ compliant: 0, non_compliant: 0, unknown: 0 });
    const results = fleet.map((d) => resultOf(op, d));
    await fold(results.slice(0, 450));
    // Part-way: the counters cover the folded devices only.
    expect((await details(op)).compliance_summary).toEqual(
      countOf(fleet.slice(0, 450).map((d) => expected.get(d.hostname) as ComplianceVerdict)),
    );
    await fold(results.slice(450));

    const want = countOf([...expected.values()]);
    expect(want.non_compliant).toBeGreaterThan(100);
    expect(want.compliant).toBeGreaterThan(100);
    expect(want.unknown).toBeGreaterThan(300);
    const got = await details(op);
    expect(got.compliance_summary).toEqual(want);
    // The reference fields stay as they are beside it.
    expect(got).toMatchObject({ organization_ids: [101, 102, 103] });
    expect(Object.keys(got).sort()).toEqual([
      "compliance_summary",
      "device_types",
      "error_summary",
      "organization_ids",
    ]);

    const report = await reportVerdicts(op);
    expect(report.size).toBe(fleet.length);
    for (const d of fleet)
      expect([d.hostname, report.get(d.hostname)?.compliance]).toEqual([
        d.hostname,
        expected.get(d.hostname),
      ]);
    const olderImages = fleet.filter(
      (d) =>
        BASELINED.has(d.organizationId) && expectedProbe(d).ok === true && d.firmware !== newest.get(d.model),
    );
    expect(
      fleet.filter((d) => report.get(d.hostname)?.compliance === "non_compliant").map((d) => d.hostname),
    ).toEqual(olderImages.map((d) => d.hostname));
    // The per-device results show the stored verdict too (and match the OpenAPI document).
    const perDevice = await call("GET", `${OPS}${op}/devices/?page_size=5`);
    expect(perDevice.statusCode).toBe(200);
    const first = perDevice.json().results.find((r: { observed: unknown }) => r.observed);
    expect(first.observed.compliance.verdict).toBe(expected.get(first.hostname));
    // Why unknown: not probed (unreachable, timeouts, …) or no baseline for the organization.
    const org103 = fleet.find((d) => d.organizationId === 103 && expectedProbe(d).ok === true) as DeviceSpec;
    expect(report.get(org103.hostname)?.compliance_rule).toBe("no_matching_baseline");
    const down = fleet.find((d) => expectedProbe(d).ok === false) as DeviceSpec;
    expect(report.get(down.hostname)).toMatchObject({ compliance: "unknown", compliance_rule: "not_probed" });
  });

  it("does not count redelivered results twice", async () => {
    const before = (await details(op)).compliance_summary;
    const again = fleet.map((d) => resultOf(op, d));
    await fold(again, 300);
    // Contradicting results for the same devices (every one on the newest image) change nothing either.
    await fold(
      again.map((r) => ({
        ...r,
        outcome: "succeeded" as const,
        observed: JSON.stringify({ vendor: "Cisco", model: "C9300-48P", firmware: "17.12.3" }),
      })),
    );
    expect((await details(op)).compliance_summary).toEqual(before);
  });

  it("keeps the summary and the report when a baseline changes after the run", async () => {
    const before = (await details(op)).compliance_summary;
    const reportBefore = await reportVerdicts(op);
    const list = (await call("GET", `${BASELINES}?page_size=100`)).json().results;
    for (const b of list)
      expect((await call("PATCH", `${BASELINES}${b.id}`, { min_firmware: "99.0" })).statusCode).toBe(200);
    expect((await details(op)).compliance_summary).toEqual(before);
    expect(await reportVerdicts(op)).toEqual(reportBefore);
    // The copy the operation ran with is kept: the rules in force when it ran.
    const frozen = await h.db.pool.query("SELECT compliance_baselines FROM operations WHERE id = $1", [op]);
    expect(frozen.rows[0].compliance_baselines).toHaveLength(2 * families.length);
    expect(frozen.rows[0].compliance_baselines[0]).toMatchObject({
      organization_id: 101,
      min_firmware: newest.get(families[0]?.model as string),
    });
  });

  it("an operation started before the frozen copy existed: summary null, the report judges with the current baselines", async () => {
    const old = await startCompliance();
    // What the migration leaves on an operation claimed by an earlier release.
    await h.db.pool.query(
      `UPDATE operations SET compliance_baselines = NULL, compliance_compliant = NULL,
              compliance_non_compliant = NULL, compliance_unknown = NULL WHERE id = $1`,
      [old],
    );
    await fold(fleet.map((d) => resultOf(old, d)));
    expect((await details(old)).compliance_summary).toBeNull();
    const report = await reportVerdicts(old);
    // Current baselines require 99.0: every probed device of 101/102 is below it.
    for (const d of fleet) {
      const want = expectedVerdict(d) === "unknown" ? "unknown" : "non_compliant";
      expect([d.hostname, report.get(d.hostname)?.compliance]).toEqual([d.hostname, want]);
    }
  });

  it("a recount from the ledger restores the counters", async () => {
    const run = await startCompliance();
    const half = fleet.slice(0, 300);
    await fold(half.map((d) => resultOf(run, d)));
    const folded = (await details(run)).compliance_summary;
    // Judged with the copy frozen now: every baseline requires 99.0 since the test above.
    expect(folded.compliant).toBe(0);
    expect(folded.non_compliant).toBeGreaterThan(50);
    await h.db.pool.query(
      "UPDATE operations SET compliance_compliant = 0, compliance_non_compliant = 0, compliance_unknown = 0 WHERE id = $1",
      [run],
    );
    await withTransaction(h.db.pool, (c) => recountOperations(c, h.ctx.natsPrefix, [run]));
    expect((await details(run)).compliance_summary).toEqual(folded);
    expect(folded.compliant + folded.non_compliant + folded.unknown).toBe(half.length);
  });

  it("has no compliance_summary on other operation types", async () => {
    const created = await call("POST", OPS, { ...referenceBody([101]), device_filters: undefined });
    expect(Object.keys(await details(created.json().id))).not.toContain("compliance_summary");
  });
});
