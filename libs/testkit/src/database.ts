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

/**
 * The role the services of every test connect as, as in production: rows yes, schema no. Roles are
 * per server, so concurrent test runs share it (its grants live in each database).
 */
export const TEST_APP_ROLE = { name: "headless_ops_app", password: "headless-ops-test-app" } as const;

/** `url` with the test app role as its user: what a service's DATABASE_URL holds. */
export function asAppRole(url: string): string {
  const u = new URL(url);
  u.username = TEST_APP_ROLE.name;
  u.password = TEST_APP_ROLE.password;
  return u.toString();
}

/**
 * Migrates a template database once per test run, as the server's owner, and grants the test app role
 * row access to it; test files clone it (fast, isolated; the grants come along).
 */
export async function createTemplateDatabase(serverUrl: string, runId: string): Promise<string> {
  const name = `ho_tpl_${runId}`;
  await runMigrations(withDatabase(serverUrl, name), { appRole: TEST_APP_ROLE });
  return name;
}

/**
 * A fresh database cloned from the run's template. `drop()` removes it (terminating
 * connections the test left open).
 */
export async function createTestDatabase(
  serverUrl: string,
  template: string,
): Promise<{ url: string; ownerUrl: string; name: string; drop: () => Promise<void> }> {
  const name = `${template.replace("ho_tpl_", "ho_t_")}_${randomBytes(4).toString("hex")}`;
  await admin(serverUrl, (c) =>
    c.query(`CREATE DATABASE ${pg.escapeIdentifier(name)} TEMPLATE ${pg.escapeIdentifier(template)}`),
  );
  return {
    url: asAppRole(withDatabase(serverUrl, name)),
    ownerUrl: withDatabase(serverUrl, name),
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
