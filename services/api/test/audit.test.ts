import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authenticate } from "../src/auth.js";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";

/*
 * The audit trail: every write of an authenticated token, whatever its answer, on every route (one
 * added after the trail was written included), with who, organizations, action, object, status and
 * request id — and never a request body. Read back through GET /api/v1/audit/ by admins of the
 * organizations only, filtered and paginated like the other lists.
 */

const AUDIT = "/api/v1/audit/";
const CANARY = `CANARY-audit-community-${Date.now()}`;
let h: Harness;
let admin: { id: string; auth: string };
let operator: { id: string; auth: string };
let viewer: { id: string; auth: string };
let otherAdmin: { id: string; auth: string };
let deviceId: string;
let operationId: string;
let startedAt: string;

type Event = Record<string, unknown> & { action: string; object_id: string | null; status_code: number };

const as = (auth: string, method: "GET" | "POST" | "PATCH" | "DELETE", url: string, payload?: unknown) =>
  h.app.inject({
    method,
    url,
    headers: { authorization: auth },
    ...(payload === undefined ? {} : { payload: payload as object }),
  });

const events = async (query = ""): Promise<{ count: number; next: string | null; results: Event[] }> => {
  const res = await as(admin.auth, "GET", `${AUDIT}${query}`);
  expect(res.statusCode, res.body).toBe(200);
  return res.json();
};

beforeAll(async () => {
  h = await startHarness();
  // A route registered after the trail, without a line of audit code: it is covered all the same.
  await h.app.register(async (extra) => {
    extra.addHook("onRequest", async (req) => {
      req.principal = await authenticate(h.db.pool, req.headers.authorization);
    });
    // Hidden from the document (so outside the contract check): it stands for a route of any kind.
    extra.post("/api/v1/widgets/:id/frob", { schema: { hide: true } }, async (_req, reply) =>
      reply.code(202).send({ ok: true }),
    );
  });
  admin = await h.token([101, 102], "admin");
  operator = await h.token([101], "operator");
  viewer = await h.token([101], "viewer");
  otherAdmin = await h.token([103], "admin");
  startedAt = new Date().toISOString();
  const created = await as(operator.auth, "POST", DEVICES, device(101));
  expect(created.statusCode).toBe(201);
  deviceId = created.json().id;
  const patched = await as(operator.auth, "PATCH", `${DEVICES}${deviceId}`, {
    credentials: { version: "v2c", community: CANARY },
  });
  expect(patched.statusCode).toBe(200);
  expect(
    (
      await as(operator.auth, "POST", DEVICES, {
        ...device(101),
        credentials: { version: "v2c", community: CANARY },
        device_type: "toaster",
      })
    ).statusCode,
  ).toBe(422);
  expect((await as(viewer.auth, "DELETE", `${DEVICES}${deviceId}`)).statusCode).toBe(403);
  const op = await as(operator.auth, "POST", OPS, referenceBody([101]));
  operationId = op.json().id;
  expect((await as(operator.auth, "POST", `${OPS}${operationId}/cancel`)).statusCode).toBe(200);
  expect((await as(operator.auth, "POST", "/api/v1/widgets/42/frob", {})).statusCode).toBe(202);
  expect((await as(operator.auth, "GET", DEVICES)).statusCode).toBe(200);
});
afterAll(() => h?.close());

describe("audit trail", () => {
  it("records every write with token, organizations, action, object, status and request id; no reads", async () => {
    const page = await events(`?token_id=${operator.id}`);
    const seen = page.results.map((e) => [e.action, e.object_id, e.status_code]).reverse();
    expect(seen).toEqual([
      ["device.create", deviceId, 201],
      ["device.update", deviceId, 200],
      ["device.create", null, 422],
      ["operation.create", operationId, 201],
      ["operation.cancel", operationId, 200],
      ["widgets.frob", "42", 202],
    ]);
    const first = page.results.at(-1);
    expect(first).toEqual({
      id: expect.any(String),
      created_at: expect.any(String),
      token_id: operator.id,
      organization_ids: [101],
      action: "device.create",
      object_type: "device",
      object_id: deviceId,
      method: "POST",
      route: DEVICES,
      status_code: 201,
      request_id: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-/),
    });
    expect(new Set(page.results.map((e) => e.request_id)).size).toBe(page.results.length);
  });

  it("a refused write is recorded too (the viewer's 403)", async () => {
    const page = await events(`?token_id=${viewer.id}`);
    expect(page.results.map((e) => [e.action, e.object_id, e.status_code])).toEqual([
      ["device.delete", deviceId, 403],
    ]);
  });

  it("never stores a request body: the community sent twice is in no audit column", async () => {
    const rows = await h.db.pool.query("SELECT row_to_json(a)::text AS j FROM audit_events a");
    expect(rows.rows.length).toBe(7);
    expect(rows.rows.filter((r) => r.j.includes(CANARY))).toEqual([]);
    expect(JSON.stringify(await events())).not.toContain(CANARY);
  });

  it("filters by action, object type and id, token, since/until, and paginates", async () => {
    expect((await events("?action=device.update")).results.map((e) => e.object_id)).toEqual([deviceId]);
    const ops = await events(`?object_type=operation&object_id=${operationId}`);
    expect(ops.results.map((e) => e.action).sort()).toEqual(["operation.cancel", "operation.create"]);
    expect(
      (await events(`?since=${encodeURIComponent(new Date(Date.now() + 60_000).toISOString())}`)).count,
    ).toBe(0);
    expect((await events(`?until=${encodeURIComponent(startedAt)}`)).count).toBe(0);
    const all = await events();
    const paged = await events("?page_size=2&page=2");
    expect(paged.count).toBe(all.count);
    expect(paged.results.map((e) => e.id)).toEqual(all.results.slice(2, 4).map((e) => e.id));
    expect(paged.next).toContain("page=3");
    expect((await as(admin.auth, "GET", `${AUDIT}?since=yesterday`)).statusCode).toBe(422);
    expect((await as(admin.auth, "GET", `${AUDIT}?page=999`)).statusCode).toBe(404);
  });

  it("only admins of the organizations read it: operators and viewers 403, another organization's admin sees none", async () => {
    for (const who of [operator, viewer]) {
      const res = await as(who.auth, "GET", AUDIT);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ detail: expect.stringContaining("admin"), errors: [] });
    }
    const foreign = await as(otherAdmin.auth, "GET", AUDIT);
    expect(foreign.statusCode).toBe(200);
    expect(foreign.json()).toMatchObject({ count: 0, results: [] });
  });

  it("a hostile path id is recorded as (invalid), never as the client typed it", async () => {
    const res = await as(admin.auth, "DELETE", `${DEVICES}%00${"x".repeat(20)}`);
    expect(res.statusCode).toBeGreaterThanOrEqual(400);
    expect(res.statusCode).toBeLessThan(500);
    const page = await events(`?token_id=${admin.id}`);
    expect(page.results.map((e) => [e.action, e.object_id, e.status_code])).toEqual([
      ["device.delete", "(invalid)", res.statusCode],
    ]);
  });
});
