import { createTestContext, TEST_APP_ROLE, type TestContext } from "@headless-ops/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appRoleOf } from "../src/app-role.js";

/*
 * The services' connection (DATABASE_URL, the app role the testkit template grants, as migrate does in
 * production) reads and writes rows but cannot change the schema; the owner's connection can.
 */

let ctx: TestContext;
let app: pg.Client;
let owner: pg.Client;

const code = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (err: { code?: string }) => err.code,
  );

beforeAll(async () => {
  ctx = await createTestContext();
  app = new pg.Client({ connectionString: ctx.databaseUrl });
  owner = new pg.Client({ connectionString: ctx.ownerDatabaseUrl });
  await Promise.all([app.connect(), owner.connect()]);
});
afterAll(async () => {
  await app?.end();
  await owner?.end();
  await ctx?.cleanup();
});

describe("database roles", () => {
  it("the services connect as the app role, not as a superuser", async () => {
    const me = await app.query(
      "SELECT current_user AS who, rolsuper FROM pg_roles WHERE rolname = current_user",
    );
    expect(me.rows[0]).toEqual({ who: TEST_APP_ROLE.name, rolsuper: false });
  });

  it("the app role reads and writes rows, sequences included", async () => {
    await app.query("INSERT INTO organizations (id, name) VALUES (7, 'x')");
    await app.query("UPDATE organizations SET name = 'y' WHERE id = 7");
    const token = await app.query<{ id: string }>(
      "INSERT INTO api_tokens (token_hash, role, organization_ids) VALUES ('\\x01', 'viewer', '{7}') RETURNING id",
    );
    expect(Number(token.rows[0]?.id)).toBeGreaterThan(0);
    await app.query(
      "INSERT INTO audit_events (organization_ids, action, object_type, method, route, status_code, request_id) VALUES ('{7}', 'a', 'b', 'POST', '/', 201, 'r')",
    );
    await app.query("DELETE FROM api_tokens WHERE id = $1", [token.rows[0]?.id]);
    expect((await app.query("SELECT name FROM organizations WHERE id = 7")).rows).toEqual([{ name: "y" }]);
  });

  it("the app role cannot create, alter, drop or truncate tables, nor touch the migrations journal", async () => {
    expect(await code(app.query("CREATE TABLE evil (id int)"))).toBe("42501");
    expect(await code(app.query("ALTER TABLE devices ADD COLUMN evil int"))).toBe("42501");
    expect(await code(app.query("DROP TABLE outbox"))).toBe("42501");
    expect(await code(app.query("TRUNCATE audit_events"))).toBe("42501");
    expect(await code(app.query("CREATE INDEX evil_idx ON devices (hostname)"))).toBe("42501");
    expect(await code(app.query("CREATE SCHEMA evil"))).toBe("42501");
    expect(await code(app.query("SELECT * FROM __drizzle_migrations"))).toBe("42501");
    const tables = await owner.query("SELECT count(*)::int AS n FROM pg_tables WHERE tablename = 'outbox'");
    expect(tables.rows[0].n).toBe(1);
  });

  it("tables a later migration adds (as the owner) are readable and writable by the app role", async () => {
    expect(await code(owner.query("CREATE TABLE later_table (id bigserial PRIMARY KEY, v text)"))).toBe("ok");
    expect(await code(app.query("INSERT INTO later_table (v) VALUES ('row')"))).toBe("ok");
    expect((await app.query("SELECT v FROM later_table")).rows).toEqual([{ v: "row" }]);
  });
});

describe("appRoleOf", () => {
  it("is DATABASE_URL's user and password when migrations run as another user", () => {
    expect(appRoleOf("postgres://svc:p%40ss@db/h", "postgres://owner:o@db/h")).toEqual({
      name: "svc",
      password: "p@ss",
    });
    expect(appRoleOf("postgres://svc@db/h", "postgres://owner@db/h")).toEqual({ name: "svc" });
  });

  it("is none with one URL for both, or the same user in both", () => {
    expect(appRoleOf("postgres://svc:p@db/h", undefined)).toBeUndefined();
    expect(appRoleOf("postgres://owner:p@db/h", "postgres://owner:p@db/other")).toBeUndefined();
  });
});
