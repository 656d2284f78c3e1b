import { OperationView, pageOf } from "@headless-ops/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";

let h: Harness;
let auth: string;

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102, 103])).auth;
  const batch = [
    device(101, { device_type: "router" }),
    device(101, { device_type: "switch", status: "pending" }),
    device(102, { device_type: "router", status: "offline" }),
    device(103, { device_type: "firewall" }),
  ];
  const res = await h.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: auth },
    payload: batch,
  });
  expect(res.statusCode).toBe(201);
});
afterAll(() => h?.close());

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: "POST",
    url: OPS,
    headers: { authorization: auth, ...headers },
    payload: payload as object,
  });

describe("GET /inventory_device_serial_headless_operation/", () => {
  it("pages newest first with absolute next/previous links that keep the filters", async () => {
    const { auth: fresh } = await h.token([103]);
    for (let i = 0; i < 5; i += 1) {
      expect(
        (await post({ ...referenceBody([103]), operation_type: "inventory_audit" }, { authorization: fresh }))
          .statusCode,
      ).toBe(201);
    }
    const url = `${OPS}?operation_type=inventory_audit&page_size=2`;
    const first = await h.app.inject({
      method: "GET",
      url,
      headers: { authorization: fresh, host: "api.test:8080" },
    });
    expect(first.statusCode).toBe(200);
    const page1 = first.json();
    expect(page1.count).toBe(5);
    expect(page1.previous).toBeNull();
    expect(page1.next).toBe(`http://api.test:8080${url}&page=2`);
    const ids = page1.results.map((r: { id: string }) => Number(r.id));
    expect(ids[0]).toBeGreaterThan(ids[1]);
    const last = await h.app.inject({
      method: "GET",
      url: `${url}&page=3`,
      headers: { authorization: fresh },
    });
    expect(last.json().results).toHaveLength(1);
    expect(last.json().next).toBeNull();
    expect(last.json().previous).toMatch(/^http:\/\/.+page=2$/);
    const beyond = await h.app.inject({
      method: "GET",
      url: `${url}&page=4`,
      headers: { authorization: fresh },
    });
    expect(beyond.statusCode).toBe(404);
    const badSize = await h.app.inject({
      method: "GET",
      url: `${OPS}?page_size=0`,
      headers: { authorization: fresh },
    });
    expect(badSize.statusCode).toBe(422);
    expect(badSize.json().errors[0].path).toBe("page_size");
  });

  it("returns one operation by id with every field of the reference's example", async () => {
    const created = (await post(referenceBody([101, 102]))).json();
    const res = await h.app.inject({
      method: "GET",
      url: `${OPS}?id=${created.id}`,
      headers: { authorization: auth },
    });
    expect(res.statusCode).toBe(200);
    const body = res.json();
    expect(pageOf(OperationView).safeParse(body).error).toBeUndefined();
    expect(body).toMatchObject({ count: 1, next: null, previous: null });
    expect(body.results[0]).toMatchObject({
      id: created.id,
      operation_type: "bulk_serial_sync",
      status: "scheduled",
      progress: 0,
      total_devices: 0,
      processed_devices: 0,
      failed_devices: 0,
      created_at: created.created_at,
      updated_at: expect.stringMatching(/Z$/),
      estimated_completion: expect.stringMatching(/Z$/),
      operation_details: {
        device_types: ["router", "switch"],
        organization_ids: [101, 102],
        error_summary: {},
      },
    });
  });

  it("keeps tenants apart: another organization's operation is invisible by list and by id (404, same body)", async () => {
    const { auth: tenantA } = await h.token([101]);
    const { auth: tenantB } = await h.token([102]);
    const mine = (await post(referenceBody([101]), { authorization: tenantA })).json();
    const theirs = (await post(referenceBody([102]), { authorization: tenantB })).json();
    const list = await h.app.inject({
      method: "GET",
      url: `${OPS}?page_size=200`,
      headers: { authorization: tenantA },
    });
    const ids = list.json().results.map((r: { id: string }) => r.id);
    expect(ids).toContain(mine.id);
    expect(ids).not.toContain(theirs.id);
    for (const r of list.json().results) expect(r.operation_details.organization_ids).toEqual([101]);
    const foreign = await h.app.inject({
      method: "GET",
      url: `${OPS}?id=${theirs.id}`,
      headers: { authorization: tenantA },
    });
    const unknown = await h.app.inject({
      method: "GET",
      url: `${OPS}?id=99999999`,
      headers: { authorization: tenantA },
    });
    const malformed = await h.app.inject({
      method: "GET",
      url: `${OPS}?id=abc`,
      headers: { authorization: tenantA },
    });
    expect([foreign.statusCode, unknown.statusCode, malformed.statusCode]).toEqual([404, 404, 404]);
    expect(foreign.body).toBe(unknown.body);
    expect(malformed.body).toBe(unknown.body);
  });

  it("filters by status and organization", async () => {
    const res = await h.app.inject({
      method: "GET",
      url: `${OPS}?status=completed&organization_id=101`,
      headers: { authorization: auth },
    });
    expect(res.json()).toEqual({ count: 0, next: null, previous: null, results: [] });
    const bad = await h.app.inject({
      method: "GET",
      url: `${OPS}?status=done`,
      headers: { authorization: auth },
    });
    expect(bad.statusCode).toBe(422);
  });

  it("answers unknown routes with 404 in the one error shape", async () => {
    const res = await h.app.inject({ method: "GET", url: "/api/v1/nothing-here" });
    expect(res.statusCode).toBe(404);
    expect(res.json()).toEqual({ detail: "Not found.", errors: [] });
  });
});
