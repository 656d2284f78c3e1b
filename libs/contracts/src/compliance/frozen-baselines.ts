import { z } from "zod";
import { BaselineFields, ComplianceVerdict } from "./baseline.js";
import { type CompiledBaselines, compileBaselines } from "./evaluate.js";

/**
 * One baseline as a compliance_report's claim froze it into `operations.compliance_baselines` (the
 * compliance_baselines row as JSON): its own fields plus the organization it belongs to.
 */
export const FrozenBaseline = BaselineFields.extend({
  id: z.coerce.string().optional(),
  organization_id: z.coerce.string(),
});
export type FrozenBaseline = z.infer<typeof FrozenBaseline>;

export const FrozenBaselines = z.array(FrozenBaseline);

/**
 * The frozen copy compiled per organization (id as text): what the fold and the report judge with,
 * so both give every device the same verdict. An organization without baselines maps to nothing.
 */
export function compileFrozenBaselines(frozen: unknown): Map<string, CompiledBaselines> {
  const byOrg = new Map<string, FrozenBaseline[]>();
  for (const b of FrozenBaselines.parse(frozen)) {
    const list = byOrg.get(b.organization_id) ?? [];
    list.push(b);
    byOrg.set(b.organization_id, list);
  }
  return new Map([...byOrg].map(([org, list]) => [org, compileBaselines(list)]));
}

/** An operation's verdict counters (`operation_details.compliance_summary`, progress events). */
export const ComplianceSummary = z
  .object({
    compliant: z.number().int().min(0),
    non_compliant: z.number().int().min(0),
    unknown: z.number().int().min(0),
  })
  .meta({ id: "ComplianceSummary" });
export type ComplianceSummary = z.infer<typeof ComplianceSummary>;

/** One device's verdict as the fold stored it with its ledger row (`observed.compliance`). */
export const ComplianceVerdictDetail = z
  .object({
    verdict: ComplianceVerdict,
    rule: z.string().nullable().describe("The rule broken, or why nothing can be said; null when compliant"),
    observed: z.string().nullable(),
    required: z.string().nullable(),
  })
  .meta({ id: "ComplianceVerdictDetail" });
