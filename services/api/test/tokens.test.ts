import { runScript } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { hashToken } from "../src/tokens.js";
import { type Harness, OPS, startHarness } from "./harness.js";

/*
 * Token management over the API: an admin creates (secret shown once), lists (never a secret) and
 * revokes the tokens of its own organizations, and nothing beyond them; operators and viewers get 403.
 * Expiry: past `expires_at` a token answers 401 with the one error shape.
 */

const TOKENS = "/api/v1/tokens/";
let h: Harness;
let admin: { id: string; auth: string };
let adminB: { id: string; auth: string };

const as = (auth: string, method: "GET" | "POST" | "DELETE", url: string, payload?: object) =>
  h.app.inject({ method, url, headers: { authorization: auth }, ...(payload ? { payload } : {}) });

const tokenCount = async () => (await h.db.pool.query("SELECT count(*)::int AS n FROM api_tokens")).rows[0].n;

beforeAll(async () => {
  h = await startHarness();
  admin = await h.token([101, 102], "admin");
  adminB = await h.token([103], "admin");
});
afterAll(() => h?.close());

describe("tokens API", () => {
  it("an admin creates a token of its organizations: the secret works, is shown once, and only its digest is stored", async () => {
    const res = await as(admin.auth, "POST", TOKENS, {
      name: "ci",
      role: "operator",
      organization_ids: [101],
      expires_in: "90d",
    });
    expect(res.statusCode, res.body).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      name: "ci",
      role: "operator",
      organization_ids: [101],
      created_by: admin.id,
      revoked_at: null,
    });
    expect(body.token).toMatch(/^hops_[A-Za-z0-9_-]{43}$/);
    const days = (Date.parse(body.expires_at) - Date.now()) / 86_400_000;
    expect(days).toBeGreaterThan(89.9);
    expect(days).toBeLessThan(90.1);
    const stored = await h.db.pool.query("SELECT token_hash FROM api_tokens WHERE id = $1", [body.id]);
    expect(stored.rows[0].token_hash).toEqual(hashToken(body.token));
    const use = await as(`Bearer ${body.token}`, "GET", OPS);
    expect(use.statusCode).toBe(200);

    const list = await as(admin.auth, "GET", TOKENS);
    expect(list.statusCode).toBe(200);
    expect(list.body).not.toContain(body.token);
    expect(list.body).not.toContain("token_hash");
    const listed = list.json().results.find((t: { id: string }) => t.id === body.id);
    expect(listed).toEqual({ ...body, token: undefined, last_used_at: expect.any(String) });
  });

  it("an admin cannot mint a token (admin or not) for organizations it does not hold: 403 naming each, nothing written", async () => {
    const before = await tokenCount();
    for (const role of ["admin", "operator"]) {
      const res = await as(admin.auth, "POST", TOKENS, { role, organization_ids: [101, 103, 104] });
      expect(res.statusCode).toBe(403);
      expect(res.json().errors).toEqual([
        { path: "organization_ids.1", message: "organization 103 is not accessible with this token" },
        { path: "organization_ids.2", message: "organization 104 is not accessible with this token" },
      ]);
    }
    expect(await tokenCount()).toBe(before);
  });

  it("operators and viewers get 403 on every token route, nothing written", async () => {
    const operator = await h.token([101, 102], "operator");
    const viewer = await h.token([101, 102], "viewer");
    const before = await tokenCount();
    for (const who of [operator, viewer]) {
      const create = await as(who.auth, "POST", TOKENS, { organization_ids: [101] });
      const list = await as(who.auth, "GET", TOKENS);
      const revoke = await as(who.auth, "DELETE", `${TOKENS}${admin.id}`);
      expect([create.statusCode, list.statusCode, revoke.statusCode]).toEqual([403, 403, 403]);
      expect(list.json().detail).toMatch(/admin/);
    }
    expect(await tokenCount()).toBe(before);
    expect((await as(admin.auth, "GET", OPS)).statusCode).toBe(200);
  });

  it("invalid bodies answer 422 naming the field", async () => {
    const res = await as(admin.auth, "POST", TOKENS, {
      role: "root",
      organization_ids: [],
      expires_in: "1y",
      secret: "x",
    });
    expect(res.statusCode).toBe(422);
    expect(
      res
        .json()
        .errors.map((e: { path: string }) => e.path)
        .sort(),
    ).toEqual(["expires_in", "organization_ids", "role", "secret"]);
  });

  it("lists only tokens within the admin's organizations, paginated like the rest", async () => {
    const mine = await as(admin.auth, "GET", `${TOKENS}?page_size=1`);
    expect(mine.statusCode).toBe(200);
    const page = mine.json();
    expect(page.count).toBeGreaterThan(1);
    expect(page.results).toHaveLength(1);
    expect(page.next).toContain("page=2");
    const theirs = await as(adminB.auth, "GET", TOKENS);
    expect(theirs.json().results.map((t: { id: string }) => t.id)).toEqual([adminB.id]);
    expect((await as(admin.auth, "GET", `${TOKENS}?page=999`)).statusCode).toBe(404);
    const admins = await as(admin.auth, "GET", `${TOKENS}?role=admin`);
    expect(admins.json().results.every((t: { role: string }) => t.role === "admin")).toBe(true);
  });

  it("revoke: 204, the token answers 401 next; another admin's token answers 404 like an unknown id", async () => {
    const created = (await as(admin.auth, "POST", TOKENS, { organization_ids: [102] })).json();
    const foreign = await as(adminB.auth, "DELETE", `${TOKENS}${created.id}`);
    const unknown = await as(adminB.auth, "DELETE", `${TOKENS}987654321`);
    expect(foreign.statusCode).toBe(404);
    expect(foreign.body).toBe(unknown.body);
    expect((await as(`Bearer ${created.token}`, "GET", OPS)).statusCode).toBe(200);
    const revoke = await as(admin.auth, "DELETE", `${TOKENS}${created.id}`);
    expect(revoke.statusCode).toBe(204);
    const after = await as(`Bearer ${created.token}`, "GET", OPS);
    expect(after.statusCode).toBe(401);
    expect(after.json()).toEqual({ detail: "Invalid token.", errors: [] });
    expect((await as(admin.auth, "DELETE", `${TOKENS}${created.id}`)).statusCode).toBe(204);
    const active = await as(admin.auth, "GET", `${TOKENS}?include_revoked=false`);
    expect(active.json().results.map((t: { id: string }) => t.id)).not.toContain(created.id);
  });

  it("an expired token answers 401 with the one error shape, on reads and writes", async () => {
    const created = (
      await as(admin.auth, "POST", TOKENS, { organization_ids: [101], expires_in: "30m" })
    ).json();
    expect((await as(`Bearer ${created.token}`, "GET", OPS)).statusCode).toBe(200);
    await h.db.pool.query("UPDATE api_tokens SET expires_at = now() - interval '1 second' WHERE id = $1", [
      created.id,
    ]);
    for (const [method, url] of [
      ["GET", OPS],
      ["POST", TOKENS],
      ["GET", "/api/v1/audit/"],
    ] as const) {
      const res = await as(`Bearer ${created.token}`, method, url, method === "POST" ? {} : undefined);
      expect(res.statusCode).toBe(401);
      expect(res.json()).toEqual({ detail: "Token expired.", errors: [] });
    }
  });

  it("last_used_at moves on use, at most once a minute (no write per request)", async () => {
    const t = await h.token([101]);
    const stamp = async () =>
      (await h.db.pool.query("SELECT last_used_at FROM api_tokens WHERE id = $1", [t.id])).rows[0]
        .last_used_at;
    expect(await stamp()).toBeNull();
    await as(t.auth, "GET", OPS);
    await expect.poll(stamp).not.toBeNull();
    const first = (await stamp()) as Date;
    for (let i = 0; i < 5; i += 1) await as(t.auth, "GET", OPS);
    await new Promise((r) => setTimeout(r, 100));
    expect(await stamp()).toEqual(first);
  });

  it("npm run admin -- tokens create --expires-in 90d prints a token that expires in 90 days", async () => {
    const res = await runScript({
      script: "services/api/dist/admin.js",
      args: ["tokens", "create", "--org", "101", "--role", "viewer", "--expires-in", "90d"],
      env: h.ctx.env,
    });
    expect(res.code, res.stderr).toBe(0);
    const secret = res.stdout.trim();
    const row = await h.db.pool.query(
      "SELECT extract(epoch FROM expires_at - now()) / 86400 AS days FROM api_tokens WHERE token_hash = $1",
      [hashToken(secret)],
    );
    expect(Number(row.rows[0].days)).toBeCloseTo(90, 1);
    expect((await as(`Bearer ${secret}`, "GET", OPS)).statusCode).toBe(200);
    const bad = await runScript({
      script: "services/api/dist/admin.js",
      args: ["tokens", "create", "--org", "101", "--expires-in", "90"],
      env: h.ctx.env,
    });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("--expires-in");
  });

  it("the OpenAPI document names the token and audit routes with their operationIds and responses", async () => {
    const doc = (await h.app.inject({ method: "GET", url: "/docs/json" })).json();
    const op = (path: string, method: string) => doc.paths[path]?.[method];
    expect(op("/api/v1/tokens/", "post")?.operationId).toBe("createToken");
    expect(op("/api/v1/tokens/", "get")?.operationId).toBe("listTokens");
    expect(op("/api/v1/tokens/{id}", "delete")?.operationId).toBe("revokeToken");
    expect(op("/api/v1/audit/", "get")?.operationId).toBe("listAuditEvents");
    expect(Object.keys(op("/api/v1/tokens/", "post").responses)).toEqual(
      expect.arrayContaining(["201", "403", "422"]),
    );
    expect(Object.keys(op("/api/v1/tokens/{id}", "delete").responses)).toEqual(
      expect.arrayContaining(["204", "404"]),
    );
  });
});
