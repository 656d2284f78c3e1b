import { z } from "zod";
import { ErrorCode, LedgerStatus, ObservedValues } from "../domain.js";
import { PageQuery } from "./pagination.js";

const Iso = z.iso.datetime({ offset: true });

/** One row of `GET …/{id}/devices/`: a device's result within an operation. */
export const DeviceResultView = z
  .object({
    device_id: z.string(),
    hostname: z.string().nullable(),
    status: LedgerStatus,
    error_code: z.string().nullable(),
    error_message: z.string().nullable(),
    observed: ObservedValues.nullable(),
    attempts: z.number().int(),
    dispatched_at: Iso.nullable(),
    started_at: Iso.nullable(),
    finished_at: Iso.nullable(),
  })
  .meta({ id: "DeviceResult" });
export type DeviceResultView = z.infer<typeof DeviceResultView>;

export const DeviceResultsQuery = PageQuery.extend({
  status: LedgerStatus.optional(),
  error_code: ErrorCode.optional(),
});
