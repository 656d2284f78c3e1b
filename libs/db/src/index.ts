export { createDb, type Database, type DbHandle, withTransaction } from "./client.js";
export { ensureDatabase, migrationsFolder, runMigrations } from "./migrate.js";
export * from "./pipeline/index.js";
export * as schema from "./schema.js";
export {
  apiTokens,
  devices,
  operationDevices,
  operations,
  organizations,
  outbox,
} from "./schema.js";
export { finalizeOperations } from "./status/finalize.js";
