import { randomBytes } from "node:crypto";
import { dropDatabase } from "@headless-ops/testkit";
import pg from "pg";
import { afterAll, describe, expect, inject, it } from "vitest";
import { runMigrations } from "../src/migrate.js";

describe("runMigrations", () => {
  const { databaseServerUrl } = inject("testServices");
  const name = `ho_migrate_${randomBytes(4).toString("hex")}`;
  const url = new URL(databaseServerUrl);
  url.pathname = `/${name}`;

  afterAll(() => dropDatabase(databaseServerUrl, name));

  it("creates a missing database, applies the schema, and is idempotent under concurrency", async () => {
    const first = await runMigrations(url.toString());
    expect(first.created).toBe(true);
    const again = await Promise.all([runMigrations(url.toString()), runMigrations(url.toString())]);
    expect(again.map((r) => r.created)).toEqual([false, false]);

    const client = new pg.Client({ connectionString: url.toString() });
    await client.connect();
    try {
      const tables = await client.query<{ tablename: string }>(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' AND tablename NOT LIKE '\\_\\_%' ORDER BY tablename",
      );
      expect(tables.rows.map((r) => r.tablename)).toEqual([
        "api_tokens",
        "audit_events",
        "compliance_baselines",
        "devices",
        "operation_devices",
        "operation_rate_buckets",
        "operations",
        "organizations",
        "outbox",
        "schedules",
        "schema_version",
        "webhook_attempts",
        "webhook_deliveries",
        "webhooks",
      ]);
      const applied = await client.query("SELECT count(*)::int AS n FROM public.__drizzle_migrations");
      expect(applied.rows[0].n).toBeGreaterThan(0);
      // migrate records the version services check at start: every shipped migration.
      const version = await client.query("SELECT migrations FROM schema_version");
      expect(version.rows).toEqual([{ migrations: applied.rows[0].n }]);
    } finally {
      await client.end();
    }
  });
});
