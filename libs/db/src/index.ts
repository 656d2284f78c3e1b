export { type AppRole, appRoleOf, grantAppRole } from "./app-role.js";
export { createDb, type Database, type DbHandle, withTransaction } from "./client.js";
export { ensureDatabase, migrationsFolder, runMigrations } from "./migrate.js";
export * from "./pipeline/index.js";
export * as schema from "./schema.js";
export {
  apiTokens,
  auditEvents,
  devices,
  operationDevices,
  operations,
  organizations,
  outbox,
} from "./schema.js";
export { finalizeOperations } from "./status/finalize.js";
export { ETA_WINDOW_SECONDS, recountOperations } from "./status/recount.js";
export { type RequeueOutcome, requeueStuckOperations } from "./status/requeue.js";
export { enforceOperationTimeouts, type TimeoutOutcome } from "./status/timeouts.js";
