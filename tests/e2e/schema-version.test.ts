import { buildSchema, migrationsFolder } from "@headless-ops/db";
import { createTestContext, ProcessGroup, runScript, type TestContext } from "@headless-ops/testkit";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * Upgrades: a service compares the database's schema version (recorded by migrate) with the
 * migrations its build ships. The real processes against a real database whose recorded version is
 * moved ahead, as a newer release's migrate would leave it.
 */

const known = buildSchema(migrationsFolder).migrations;
const tooNewLine = (n: number) =>
  `database schema ${n} is newer than this build knows (${known}): upgrade the service or roll back the migration`;

describe.sequential("schema version at start", () => {
  let ctx: TestContext;
  let pool: pg.Pool;
  const group = new ProcessGroup();

  beforeAll(async () => {
    ctx = await createTestContext();
    pool = new pg.Pool({ connectionString: ctx.databaseUrl, max: 2 });
  });

  afterAll(async () => {
    await group.stopAll().catch(() => undefined);
    await pool?.end();
    await ctx?.cleanup();
  });

  const setVersion = (migrations: number, oldestReader: number) =>
    pool.query("UPDATE schema_version SET migrations = $1, oldest_reader = $2", [migrations, oldestReader]);

  it("migrate recorded this build's version, and the services start against it", async () => {
    const row = await pool.query("SELECT migrations FROM schema_version");
    expect(row.rows).toEqual([{ migrations: known }]);
    const aggregator = await group.start("aggregator", { env: ctx.env });
    await aggregator.stop();
  });

  it("a schema one ahead past a contract migration: exit 1 with one clear line, no SQL errors", async () => {
    await setVersion(known + 1, known + 1);
    for (const script of ["services/aggregator/dist/main.js", "services/api/dist/main.js"]) {
      const res = await runScript({ script, env: { ...ctx.env, PORT: "0", METRICS_PORT: "0" } });
      expect(res.code, script).toBe(1);
      const lines = res.stdout
        .split("\n")
        .filter(Boolean)
        .map((l) => JSON.parse(l) as { level: number; msg: string });
      const fatal = lines.filter((l) => l.level >= 60);
      expect(fatal.map((l) => l.msg)).toEqual([tooNewLine(known + 1)]);
      expect(
        lines.some((l) => l.level >= 50 && l.level < 60),
        script,
      ).toBe(false);
    }
  });

  it("a schema one ahead by an expand-only migration: the service runs, with a warning", async () => {
    await setVersion(known + 1, known);
    const prober = await group.start("prober", { env: ctx.env });
    const warning = prober.logs().find((l) => String(l.msg).startsWith("database schema is ahead"));
    expect(warning).toMatchObject({ database: known + 1, known });
    await prober.stop();
  });
});
