import { z } from "zod";

const text = z.string().nullable();

/** One device of a report; the CSV columns and the NDJSON/JSON objects carry exactly these fields. */
export const ReportRowSchema = z
  .object({
    organization_id: z.string(),
    organization: text.describe("Organization name"),
    device_id: z.string(),
    hostname: text,
    device_type: text,
    mgmt_address: text,
    status: z.string().describe("The device's ledger status in this operation"),
    error_code: text,
    error_message: text,
    observed_serial: text,
    observed_model: text,
    observed_vendor: text,
    observed_firmware: text,
    recorded_serial: text.describe("The inventory's value now"),
    recorded_model: text,
    recorded_vendor: text,
    recorded_firmware: text,
    attempts: z.number().int(),
    started_at: text.describe("ISO 8601, UTC"),
    finished_at: text,
    duration_ms: z.number().int().nullable(),
    compliance: z
      .enum(["compliant", "non_compliant", "unknown"])
      .nullable()
      .describe("compliance_report operations: the verdict against the organization's baselines now"),
    compliance_rule: text.describe("The rule broken (or why unknown: not_probed, no_matching_baseline)"),
    compliance_observed: text,
    compliance_required: text,
  })
  .meta({ id: "ReportRow" });

export const ReportJson = z
  .object({ operation_id: z.string(), results: z.array(ReportRowSchema) })
  .meta({ id: "OperationReport" });
