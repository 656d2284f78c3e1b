import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { expandProblems } from "../src/expand-rule.js";
import { migrationsFolder } from "../src/migrate.js";
import { buildSchema } from "../src/schema-version.js";

/*
 * Expand, then contract (libs/db/README.md): during a rolling upgrade the previous release runs on
 * the new schema, so a migration may only add. Removing or renaming what the previous release still
 * reads, or adding a column its INSERTs would fail on, needs a `-- contract: <release>` line naming
 * the release after which nothing reads it; services older than that migration then refuse to
 * start (schema_version.oldest_reader).
 */

describe("migrations are expand-only unless marked `-- contract: <release>`", () => {
  const files = readdirSync(migrationsFolder).filter((f) => f.endsWith(".sql"));

  it("every committed migration passes the rule", () => {
    expect(files.length).toBe(buildSchema(migrationsFolder).migrations);
    const problems = files.flatMap((f) =>
      expandProblems(readFileSync(join(migrationsFolder, f), "utf8")).map((p) => `${f}: ${p}`),
    );
    expect(problems).toEqual([]);
  });

  it("catches what would break the previous release, and accepts what it ignores", () => {
    expect(expandProblems('ALTER TABLE "devices" DROP COLUMN "serial";')).toHaveLength(1);
    expect(expandProblems('ALTER TABLE "devices" RENAME COLUMN "serial" TO "serial_number";')).toHaveLength(
      1,
    );
    expect(expandProblems('ALTER TABLE "devices" ALTER COLUMN "serial" SET DATA TYPE bigint;')).toHaveLength(
      1,
    );
    expect(expandProblems('ALTER TABLE "outbox" ADD COLUMN "kind" text NOT NULL;')).toHaveLength(1);
    expect(expandProblems('DROP TABLE "audit_events";')).toHaveLength(1);
    // Additive: a nullable column, one with a default, a new table, an index.
    expect(expandProblems('ALTER TABLE "outbox" ADD COLUMN "traceparent" text;')).toEqual([]);
    expect(expandProblems(`ALTER TABLE "outbox" ADD COLUMN "kind" text DEFAULT 'event' NOT NULL;`)).toEqual(
      [],
    );
    expect(expandProblems('CREATE TABLE "x" (\n\t"id" integer NOT NULL\n);')).toEqual([]);
    expect(expandProblems('CREATE INDEX "x_idx" ON "devices" USING btree ("serial");')).toEqual([]);
  });

  it("a migration marked as a contract may drop, and raises the oldest build that may use the schema", () => {
    expect(expandProblems('-- contract: 0.3.0\nALTER TABLE "devices" DROP COLUMN "serial";')).toEqual([]);
    // Nothing committed is a contract yet: every build back to the first may read today's schema.
    expect(buildSchema(migrationsFolder).oldestReader).toBe(0);
  });
});
