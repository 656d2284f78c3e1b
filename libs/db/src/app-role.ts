import pg from "pg";

/** The role the services connect as: rows yes, schema no. */
export type AppRole = {
  name: string;
  /** Set (or reset) the role's password; without it an existing role keeps its own, a new one gets none. */
  password?: string;
};

const ROLE_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
// Both mean "someone else created it first": concurrent migrate runs, or test runs sharing a server.
const ALREADY_EXISTS = new Set(["42710", "23505"]);
// "tuple concurrently updated": two sessions altering the same role at once; the next try succeeds.
const CONCURRENT_UPDATE = "XX000";

async function retryConcurrent(fn: () => Promise<unknown>): Promise<void> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      await fn();
      return;
    } catch (err) {
      if ((err as { code?: string }).code !== CONCURRENT_UPDATE || attempt >= 5) throw err;
      await new Promise((resolve) => setTimeout(resolve, 20 * attempt));
    }
  }
}

async function ensureRole(client: pg.Client, role: AppRole, ident: string): Promise<void> {
  const found = await client.query("SELECT 1 FROM pg_roles WHERE rolname = $1", [role.name]);
  const password = role.password === undefined ? "" : ` PASSWORD ${pg.escapeLiteral(role.password)}`;
  if (found.rowCount === 0) {
    try {
      await client.query(`CREATE ROLE ${ident} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE${password}`);
      return;
    } catch (err) {
      if (!ALREADY_EXISTS.has((err as { code?: string }).code ?? "")) throw err;
    }
  }
  if (password) await retryConcurrent(() => client.query(`ALTER ROLE ${ident}${password}`));
}

/**
 * Creates the application role if missing and grants it exactly what the services need: connect, use
 * the schema, read and write rows of every table (and the tables later migrations add, through default
 * privileges), use the sequences. No CREATE on the schema, no ownership: the role cannot create, alter
 * or drop tables. The migrations journal stays out of its reach. Idempotent; runs after every migrate.
 */
export async function grantAppRole(client: pg.Client, role: AppRole): Promise<void> {
  if (!ROLE_NAME.test(role.name)) throw new Error(`invalid application role name: ${role.name}`);
  const ident = pg.escapeIdentifier(role.name);
  const owner = await client.query<{ current_user: string; db: string }>(
    "SELECT current_user, current_database() AS db",
  );
  const me = owner.rows[0];
  if (!me) throw new Error("cannot read the current user");
  if (me.current_user === role.name) throw new Error("migrations must run as the owner, not the app role");
  await ensureRole(client, role, ident);
  const statements = [
    // Before Postgres 15 every role may create objects in `public`; the app role must not.
    "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
    `REVOKE CREATE ON SCHEMA public FROM ${ident}`,
    `GRANT CONNECT ON DATABASE ${pg.escapeIdentifier(me.db)} TO ${ident}`,
    `GRANT USAGE ON SCHEMA public TO ${ident}`,
    `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO ${ident}`,
    `GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO ${ident}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO ${ident}`,
    `ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO ${ident}`,
    `REVOKE ALL ON TABLE public.__drizzle_migrations FROM ${ident}`,
  ];
  for (const sql of statements) await client.query(sql);
}

/**
 * The app role implied by the two URLs: DATABASE_URL's user (and password) when migrations run as a
 * different user through MIGRATE_DATABASE_URL; none when one URL serves both (a single-user setup).
 */
export function appRoleOf(databaseUrl: string, migrateUrl: string | undefined): AppRole | undefined {
  if (!migrateUrl) return undefined;
  const app = new URL(databaseUrl);
  const owner = new URL(migrateUrl);
  const name = decodeURIComponent(app.username);
  if (!name || name === decodeURIComponent(owner.username)) return undefined;
  return app.password ? { name, password: decodeURIComponent(app.password) } : { name };
}
