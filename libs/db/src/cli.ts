import { createLogger, exitOnFatal, loadConfig } from "@headless-ops/runtime";
import { appRoleOf } from "./app-role.js";
import { runMigrations } from "./migrate.js";

/**
 * `npm run migrate`: create the database if missing, apply pending migrations as the owner
 * (MIGRATE_DATABASE_URL, else DATABASE_URL), then grant the services' role (DATABASE_URL's user) row access.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger("migrate", config);
  const ownerUrl = config.MIGRATE_DATABASE_URL ?? config.DATABASE_URL;
  const url = new URL(ownerUrl);
  const appRole = appRoleOf(config.DATABASE_URL, config.MIGRATE_DATABASE_URL);
  const { created } = await runMigrations(ownerUrl, appRole ? { appRole } : {});
  log.info(
    { database: url.pathname.slice(1), host: url.host, created, appRole: appRole?.name ?? null },
    "migrations applied",
  );
}

main().catch(exitOnFatal(createLogger("migrate", { LOG_LEVEL: "info", LOG_PRETTY: false })));
