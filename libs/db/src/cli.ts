import { createLogger, exitOnFatal, loadConfig } from "@headless-ops/runtime";
import { runMigrations } from "./migrate.js";

/** `npm run migrate`: create the database if missing, apply pending migrations. */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const log = createLogger("migrate", config);
  const url = new URL(config.DATABASE_URL);
  const { created } = await runMigrations(config.DATABASE_URL);
  log.info({ database: url.pathname.slice(1), host: url.host, created }, "migrations applied");
}

main().catch(exitOnFatal(createLogger("migrate", { LOG_LEVEL: "info", LOG_PRETTY: false })));
