export { type AppRole, appRoleOf, grantAppRole } from "./app-role.js";
export { createDb, type Database, type DbHandle, withTransaction } from "./client.js";
export { ensureDatabase, migrationsFolder, runMigrations } from "./migrate.js";
export {
  PG_DATA_EXCEPTION_CLASS,
  PG_DEADLOCK_DETECTED,
  PG_SERIALIZATION_FAILURE,
  PG_UNIQUE_VIOLATION,
  pgErrorCode,
} from "./pg-errors.js";
export * from "./pipeline/index.js";
export type { Queryable } from "./queryable.js";
export { type PruneOutcome, pruneExpiredLedger } from "./retention/ledger-retention.js";
export * from "./schedules/index.js";
export * as schema from "./schema.js";
export {
  apiTokens,
  auditEvents,
  devices,
  operationDevices,
  operations,
  organizations,
  outbox,
  schedules,
} from "./schema.js";
export {
  assertSchemaUsable,
  type BuildSchema,
  buildSchema,
  CONTRACT_MARKER,
  checkSchemaVersion,
  recordSchemaVersion,
  type SchemaCheck,
  SchemaTooNewError,
} from "./schema-version.js";
export { cancelStoredOperation } from "./status/cancel-operation.js";
export { finalizeOperations } from "./status/finalize.js";
export { insertOperation, type NewOperation } from "./status/insert-operation.js";
export { applyMovedRows, type MovedCounts } from "./status/moved-rows.js";
export { writeFinishedEvents, writeMilestoneEvents, writeStartedEvent } from "./status/operation-events.js";
export { type OperationProgressRow, readOperationProgress } from "./status/operation-progress.js";
export { registerOperationsByStatus } from "./status/operations-gauge.js";
export { ETA_WINDOW_SECONDS, recountOperations } from "./status/recount.js";
export { type RequeueOutcome, requeueStuckOperations } from "./status/requeue.js";
export { enforceOperationTimeouts, type TimeoutOutcome } from "./status/timeouts.js";
