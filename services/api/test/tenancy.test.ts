import { runScript } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";
import { seedRunning } from "./ledger.js";

/*
 * Tenancy matrix. Every route that takes an id: a token of organization B on organization A's
 * resource answers exactly what an unknown id answers (404, same body) and changes nothing. Every
 * list: never another organization's rows. Every write route: 403 for a viewer. A revoked token: 401
 * on the very next request. To cover a new route, add a row to `idRoutes`, `lists` or `writes`.
 */

const A = 101;
const B = 102;
const UNKNOWN = "987654321";

type Ids = { operation: string; finished: string; device: string; token: string };
type IdRoute = {
  name: string;
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: (ids: Ids, id?: string) => string;
  payload?: unknown;
};

/** Routes addressing one of A's resources by id; `id` overrides it with an unknown one. */
const idRoutes: IdRoute[] = [
  { name: "GET operation by ?id=", method: "GET", url: (i, id) => `${OPS}?id=${id ?? i.operation}` },
  {
    name: "GET operation by ?id= with update_status",
    method: "GET",
    url: (i, id) => `${OPS}?id=${id ?? i.operation}&update_status=true`,
  },
  { name: "GET operation results", method: "GET", url: (i, id) => `${OPS}${id ?? i.finished}/devices/` },
  { name: "POST operation cancel", method: "POST", url: (i, id) => `${OPS}${id ?? i.operation}/cancel` },
  { name: "POST operation retry", method: "POST", url: (i, id) => `${OPS}${id ?? i.finished}/retry` },
  { name: "GET device", method: "GET", url: (i, id) => `${DEVICES}${id ?? i.device}` },
  {
    name: "PATCH device",
    method: "PATCH",
    url: (i, id) => `${DEVICES}${id ?? i.device}`,
    payload: { hostname: "taken-over" },
  },
  { name: "DELETE device", method: "DELETE", url: (i, id) => `${DEVICES}${id ?? i.device}` },
  { name: "DELETE token", method: "DELETE", url: (i, id) => `/api/v1/tokens/${id ?? i.token}` },
];

/** Lists, with the filters that might be used to fish for another organization's rows. */
const lists = [
  `${OPS}`,
  `${OPS}?organization_id=${A}`,
  `${OPS}?status=scheduled&operation_type=bulk_serial_sync`,
  `${DEVICES}`,
  `${DEVICES}?organization_id=${A}`,
  `${DEVICES}?hostname=a-secret-host`,
];

/** Every write route, for the viewer check. */
const writes: IdRoute[] = [
  { name: "POST operation", method: "POST", url: () => OPS, payload: referenceBody([A]) },
  { name: "POST device", method: "POST", url: () => DEVICES, payload: device(A) },
  { name: "POST device import", method: "POST", url: () => `${DEVICES}import` },
  { name: "POST token", method: "POST", url: () => "/api/v1/tokens/", payload: { organization_ids: [A] } },
  ...idRoutes.filter((r) => r.method !== "GET"),
];

let h: Harness;
let tokens: { a: string; b: string; viewer: string; both: string };
let ids: Ids;

const call = (route: IdRoute, authorization: string, id?: string) =>
  h.app.inject({
    method: route.method,
    url: route.url(ids, id),
    headers: { authorization },
    ...(route.payload === undefined ? {} : { payload: route.payload as object }),
  });

/** The state of A's resources, to prove a refused request changed nothing. */
const snapshot = async () =>
  JSON.stringify(
    (
      await h.db.pool.query(
        `SELECT (SELECT json_agg(o ORDER BY id) FROM operations o) AS ops,
                (SELECT json_agg(d ORDER BY id) FROM devices d) AS devices,
                (SELECT count(*) FROM outbox) AS outbox,
                (SELECT json_agg(t ORDER BY id) FROM (SELECT id, revoked_at FROM api_tokens) t) AS tokens`,
      )
    ).rows[0],
  );

beforeAll(async () => {
  h = await startHarness();
  tokens = {
    a: (await h.token([A])).auth,
    b: (await h.token([B], "admin")).auth,
    viewer: (await h.token([A], "viewer")).auth,
    both: (await h.token([A, B])).auth,
  };
  const post = async (url: string, payload: unknown) => {
    const res = await h.app.inject({
      method: "POST",
      url,
      headers: { authorization: tokens.a },
      payload: payload as object,
    });
    expect(res.statusCode, res.body).toBe(201);
    return res.json();
  };
  const dev = await post(DEVICES, device(A, { hostname: "a-secret-host" }));
  const failing = await post(DEVICES, device(A));
  const operation = await post(OPS, referenceBody([A]));
  const finished = await post(OPS, referenceBody([A]));
  // Finished with one failure, so retry and the per-device results have something to show A.
  await seedRunning(h.db.pool, finished.id, [
    { device_id: dev.id, status: "succeeded" },
    { device_id: failing.id, status: "failed", error_code: "unreachable" },
  ]);
  await h.db.pool.query(
    "UPDATE operations SET status = 'completed_with_errors', finished_at = now() WHERE id = $1",
    [finished.id],
  );
  ids = { operation: operation.id, finished: finished.id, device: dev.id, token: (await h.token([A])).id };
});
afterAll(() => h?.close());

describe("tenancy matrix", () => {
  it.each(idRoutes.map((r) => [r.name, r] as const))(
    "%s: org B gets the unknown-id answer for org A's resource and changes nothing",
    async (_name, route) => {
      const before = await snapshot();
      const foreign = await call(route, tokens.b);
      const unknown = await call(route, tokens.b, UNKNOWN);
      expect(unknown.statusCode).toBe(404);
      expect(foreign.statusCode).toBe(404);
      expect(foreign.body).toBe(unknown.body);
      expect(foreign.json()).toEqual({ detail: "Not found.", errors: [] });
      expect(await snapshot()).toBe(before);
      // Control: the owner reaches it (reads only; writes are exercised by the viewer and revoke rows).
      if (route.method === "GET") expect((await call(route, tokens.a)).statusCode).toBe(200);
    },
  );

  it.each(lists)("list %s never shows org A's rows to org B", async (url) => {
    const mine = await h.app.inject({ method: "GET", url, headers: { authorization: tokens.a } });
    const theirs = await h.app.inject({ method: "GET", url, headers: { authorization: tokens.b } });
    expect(mine.statusCode).toBe(200);
    expect(theirs.statusCode).toBe(200);
    expect(mine.json().count).toBeGreaterThan(0);
    expect(theirs.json()).toMatchObject({ count: 0, results: [] });
  });

  it("an operation spanning A and B is visible only to a token of both", async () => {
    const res = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: tokens.both },
      payload: referenceBody([A, B]),
    });
    const id = res.json().id;
    const as = async (auth: string) =>
      (await h.app.inject({ method: "GET", url: `${OPS}?id=${id}`, headers: { authorization: auth } }))
        .statusCode;
    expect([await as(tokens.both), await as(tokens.a), await as(tokens.b)]).toEqual([200, 404, 404]);
  });

  it("org B cannot create in org A: 403 naming the field, nothing written", async () => {
    const before = await snapshot();
    const op = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: tokens.b },
      payload: referenceBody([A]),
    });
    expect(op.statusCode).toBe(403);
    expect(op.json().errors).toEqual([{ path: "target_organizations.0", message: expect.any(String) }]);
    const dev = await h.app.inject({
      method: "POST",
      url: DEVICES,
      headers: { authorization: tokens.b },
      payload: device(A),
    });
    expect(dev.statusCode).toBe(403);
    expect(dev.json().errors).toEqual([{ path: "organization_id", message: expect.any(String) }]);
    expect(await snapshot()).toBe(before);
  });

  it.each(writes.map((r) => [r.name, r] as const))(
    "%s: a viewer gets 403 and nothing changes",
    async (_n, route) => {
      const before = await snapshot();
      const res = await call(route, tokens.viewer);
      expect(res.statusCode).toBe(403);
      expect(res.json()).toEqual({ detail: "This token is read-only (role viewer).", errors: [] });
      expect(await snapshot()).toBe(before);
    },
  );

  it("a revoked token is refused (401) on the very next request, on every route", async () => {
    const { id, auth } = await h.token([A]);
    expect(
      (await h.app.inject({ method: "GET", url: OPS, headers: { authorization: auth } })).statusCode,
    ).toBe(200);
    const revoke = await runScript({
      script: "services/api/dist/admin.js",
      args: ["token", "revoke", id],
      env: h.ctx.env,
    });
    expect(revoke.code, revoke.stderr).toBe(0);
    for (const route of [
      ...idRoutes,
      ...writes,
      ...lists.map((url) => ({ name: url, method: "GET" as const, url: () => url })),
    ]) {
      const res = await call(route, auth);
      expect(res.statusCode, route.name).toBe(401);
      expect(res.json(), route.name).toEqual({ detail: "Invalid token.", errors: [] });
    }
  });
});
