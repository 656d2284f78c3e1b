import { z } from "zod";
import { AuditEventView } from "./audit.js";
import { DeviceResultView } from "./device-results.js";
import { DeviceView } from "./devices.js";
import { OperationView } from "./operations.js";
import { pageOf } from "./pagination.js";
import { ScheduleView } from "./schedules.js";
import { TokenView } from "./tokens.js";

/* The response envelopes by name, so the OpenAPI document (and a generated client) names them too. */

export const PaginatedOperations = pageOf(OperationView).meta({ id: "PaginatedOperations" });
export const PaginatedSchedules = pageOf(ScheduleView).meta({ id: "PaginatedSchedules" });
export const PaginatedDevices = pageOf(DeviceView).meta({ id: "PaginatedDevices" });
export const PaginatedDeviceResults = pageOf(DeviceResultView).meta({ id: "PaginatedDeviceResults" });
export const PaginatedTokens = pageOf(TokenView).meta({ id: "PaginatedTokens" });
export const PaginatedAuditEvents = pageOf(AuditEventView).meta({ id: "PaginatedAuditEvents" });

/** `POST /devices/` with a JSON array: every device created, in request order. */
export const DeviceBatch = z
  .object({ count: z.number().int().min(0), results: z.array(DeviceView) })
  .meta({ id: "DeviceBatch" });
export type DeviceBatch = z.infer<typeof DeviceBatch>;

/** `POST /devices/import`: how many rows became devices (all or none). */
export const DeviceImportResult = z
  .object({ created: z.number().int().min(0) })
  .meta({ id: "DeviceImportResult" });
