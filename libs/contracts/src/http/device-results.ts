import { z } from "zod";
import { ComplianceVerdictDetail } from "../compliance/frozen-baselines.js";
import { ErrorCode, LedgerStatus, ObservedValues } from "../domain.js";
import { PageQuery } from "./pagination.js";

const Iso = z.iso.datetime({ offset: true });

/**
 * One row of `GET …/{id}/devices/`: a device's result within an operation. No `dispatched_at`:
 * dispatch advances the operation's fan-out cursor without writing ledger rows, so it was always null;
 * a dispatched device shows `status: "dispatched"` and `started_at` once a prober takes it.
 */
export const DeviceResultView = z
  .object({
    device_id: z.string(),
    hostname: z.string().nullable(),
    status: LedgerStatus,
    error_code: z.string().nullable(),
    error_message: z.string().nullable(),
    observed: ObservedValues.extend({
      /** compliance_report: the verdict the fold gave this device (judged with the frozen baselines). */
      compliance: ComplianceVerdictDetail.optional().describe(
        "compliance_report only: the verdict the fold gave this device, judged with the baselines frozen when the operation started",
      ),
    }).nullable(),
    attempts: z.number().int(),
    started_at: Iso.nullable(),
    finished_at: Iso.nullable(),
  })
  .meta({ id: "DeviceResult" });
export type DeviceResultView = z.infer<typeof DeviceResultView>;

export const DeviceResultsQuery = PageQuery.extend({
  status: LedgerStatus.optional(),
  error_code: ErrorCode.optional(),
});
