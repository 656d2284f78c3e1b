import { randomBytes } from "node:crypto";
import { runMigrations } from "@headless-ops/db";
import pg from "pg";

function withDatabase(url: string, name: string): string {
  const u = new URL(url);
  u.pathname = `/${name}`;
  return u.toString();
}

async function admin<T>(serverUrl: string, fn: (c: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, "postgres") });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Migrates a template database once per test run; test files clone it (fast, isolated). */
export async function createTemplateDatabase(serverUrl: string, runId: string): Promise<string> {
  const name = `ho_tpl_${runId}`;
  await runMigrations(withDatabase(serverUrl, name));
  return name;
}

/**
 * A fresh database cloned from the run's template. `drop()` removes it (terminating
 * connections the test left open).
 */
export async function createTestDatabase(
  serverUrl: string,
  template: string,
): Promise<{ url: string; name: string; drop: () => Promise<void> }> {
  const name = `${template.replace("ho_tpl_", "ho_t_")}_${randomBytes(4).toString("hex")}`;
  await admin(serverUrl, (c) =>
    c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`),
  );
  return {
    url: withDatabase(serverUrl, name),
    name,
    drop: () => dropDatabase(serverUrl, name),
  };
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  await admin(serverUrl, (c) => c.query(`DROP DATABASE IF EXISTS ${pg.escapeIdentifier(name)} WITH (FORCE)`));
}

/** Drops every database a test run made (its template and its clones). */
export async function dropRunDatabases(serverUrl: string, runId: string): Promise<void> {
  const names = await admin(serverUrl, async (c) => {
    const res = await c.query<{ datname: string }>(
      "SELECT datname FROM pg_database WHERE datname LIKE $1 OR datname = $2",
      [`ho\\_t\\_${runId}\\_%`, `ho_tpl_${runId}`],
    );
    return res.rows.map((r) => r.datname);
  });
  for (const name of names) await dropDatabase(serverUrl, name);
}
