import { parse } from "csv-parse/sync";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";
import { seedRunning } from "./ledger.js";

let h: Harness;
let auth: string;
let ids: string[];
let op: string;

const hostile = ['=HYPERLINK("http://x")', "+1+2", "-2+3", "@SUM(A1)", "\tcmd", "\rcmd"];

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102])).auth;
  const res = await h.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: auth },
    payload: [
      device(101, {
        hostname: "core-1",
        serial: "REC-1",
        model: "C9300",
        vendor: "cisco",
        firmware: "17.9.4a",
      }),
      device(101, { hostname: 'edge,"quoted"' }),
      device(101, { hostname: "plain" }),
    ],
  });
  expect(res.statusCode).toBe(201);
  ids = res.json().results.map((d: { id: string }) => d.id);
  const created = await h.app.inject({
    method: "POST",
    url: OPS,
    headers: { authorization: auth },
    payload: { ...referenceBody([101]), device_filters: undefined },
  });
  op = created.json().id;
  await seedRunning(h.db.pool, op, [
    { device_id: ids[0] as string, status: "succeeded", observed: { serial: "OBS-1", firmware: "17.9.4a" } },
    { device_id: ids[1] as string, status: "failed", error_code: "connection_timeouts" },
    // Values a device reports are untrusted: each would run as a formula in a spreadsheet.
    {
      device_id: ids[2] as string,
      status: "succeeded",
      observed: Object.fromEntries(["serial", "model", "vendor", "firmware"].map((k, i) => [k, hostile[i]])),
    },
  ]);
  await h.db.pool.query(
    "UPDATE operation_devices SET error_message = $2 WHERE operation_id = $1 AND device_id = $3",
    [op, hostile[4], ids[1]],
  );
});
afterAll(() => h?.close());

const get = (url: string, headers: Record<string, string> = {}, token = auth) =>
  h.app.inject({ method: "GET", url, headers: { authorization: token, ...headers } });

describe("GET …/{id}/report", () => {
  it("CSV for Accept: text/csv: a header, one row per device, observed and recorded values", async () => {
    const res = await get(`${OPS}${op}/report`, { accept: "text/csv" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/csv/);
    expect(res.headers["content-disposition"]).toBe(`attachment; filename="operation-${op}.csv"`);
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    expect(rows.map((r) => r.hostname)).toEqual(["core-1", 'edge,"quoted"', "plain"]);
    expect(rows[0]).toMatchObject({
      organization_id: "101",
      device_id: ids[0],
      status: "succeeded",
      observed_serial: "OBS-1",
      observed_firmware: "17.9.4a",
      recorded_serial: "REC-1",
      recorded_model: "C9300",
      recorded_vendor: "cisco",
      attempts: "1",
    });
    expect(rows[0]?.finished_at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    expect(rows[1]).toMatchObject({ status: "failed", error_code: "connection_timeouts" });
  });

  it("neutralises cells a spreadsheet would execute", async () => {
    const res = await get(`${OPS}${op}/report?format=csv`);
    const rows: Record<string, string>[] = parse(res.body, { columns: true, relax_quotes: true });
    expect([
      rows[2]?.observed_serial,
      rows[2]?.observed_model,
      rows[2]?.observed_vendor,
      rows[2]?.observed_firmware,
    ]).toEqual(hostile.slice(0, 4).map((v) => `'${v}`));
    expect(rows[1]?.error_message).toBe(`'${hostile[4]}`);
    // No cell of the file starts with a formula character.
    for (const row of rows) for (const cell of Object.values(row)) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    // NDJSON and JSON carry the values as the device sent them: they are data, not a spreadsheet.
    const nd = await get(`${OPS}${op}/report?format=ndjson`);
    expect(JSON.parse(nd.body.split("\n")[2] as string).observed_serial).toBe(hostile[0]);
  });

  it("NDJSON: one JSON object per line", async () => {
    const res = await get(`${OPS}${op}/report`, { accept: "application/x-ndjson" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toBe("application/x-ndjson");
    expect(res.body.endsWith("\n")).toBe(true);
    const lines = res.body
      .trimEnd()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines.map((l) => l.device_id)).toEqual(ids);
  });

  it("JSON by default, and an empty report is valid JSON", async () => {
    const res = await get(`${OPS}${op}/report`);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const body = res.json();
    expect(body.operation_id).toBe(op);
    expect(body.results).toHaveLength(3);
    expect(body.results[1]).toMatchObject({ hostname: 'edge,"quoted"', error_code: "connection_timeouts" });
    const empty = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: auth },
      payload: { ...referenceBody([101]), device_filters: undefined },
    });
    const none = await get(`${OPS}${empty.json().id}/report`);
    expect(none.json()).toEqual({ operation_id: empty.json().id, results: [] });
  });

  it("tenancy as the GET: 404 for another organization's token, 422 for an unknown format", async () => {
    const foreign = (await h.token([102])).auth;
    const res = await get(`${OPS}${op}/report?format=csv`, {}, foreign);
    expect(res.statusCode).toBe(404);
    expect(res.body).not.toContain("core-1");
    expect((await get(`${OPS}999999/report`)).statusCode).toBe(404);
    expect((await get(`${OPS}${op}/report?format=xlsx`)).statusCode).toBe(422);
  });

  it("returns its connection to the pool after each report", async () => {
    for (let i = 0; i < 30; i += 1)
      expect((await get(`${OPS}${op}/report?format=ndjson`)).statusCode).toBe(200);
    expect(h.db.pool.waitingCount).toBe(0);
  });
});

describe("GET …/{id}/report of a compliance_report operation", () => {
  it("judges each device against its organization's baselines: verdict, rule, observed and required", async () => {
    const created = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: auth },
      payload: { ...referenceBody([101]), operation_type: "compliance_report", device_filters: undefined },
    });
    expect(created.statusCode).toBe(201);
    const cop = created.json().id;
    await h.db.pool.query(
      `INSERT INTO compliance_baselines (organization_id, vendor, model_pattern, min_firmware)
       VALUES (101, 'Cisco', 'C9300-*', '17.12.3'), (102, 'Cisco', '*', '99.0')`,
    );
    const cisco = { vendor: "Cisco", model: "C9300-48P", serial: "S" };
    await seedRunning(h.db.pool, cop, [
      { device_id: ids[0] as string, status: "succeeded", observed: { ...cisco, firmware: "17.12.3" } },
      { device_id: ids[1] as string, status: "succeeded", observed: { ...cisco, firmware: "17.9.4a" } },
      { device_id: ids[2] as string, status: "failed", error_code: "connection_timeouts" },
    ]);
    const res = await get(`${OPS}${cop}/report?format=csv`);
    const rows: Record<string, string>[] = parse(res.body, { columns: true });
    expect(
      rows.map((r) => [r.compliance, r.compliance_rule, r.compliance_observed, r.compliance_required]),
    ).toEqual([
      ["compliant", "", "", ""],
      ["non_compliant", "firmware_below_minimum", "17.9.4a", ">= 17.12.3"],
      ["unknown", "not_probed", "failed", ""],
    ]);
    // Another operation type leaves the columns empty.
    const plain = (await get(`${OPS}${op}/report`)).json();
    expect(plain.results.every((r: { compliance: unknown }) => r.compliance === null)).toBe(true);
  });
});
