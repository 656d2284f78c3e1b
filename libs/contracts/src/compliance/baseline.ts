import { z } from "zod";

const Version = z.string().min(1).max(64);

/** A firmware baseline of one organization, as the API stores and returns it. */
export const BaselineFields = z.object({
  vendor: z.string().min(1).max(128).describe("Matched case-insensitively against the observed vendor"),
  model_pattern: z
    .string()
    .min(1)
    .max(128)
    .default("*")
    .describe("Glob over the model, case-insensitive: `C9300-*`, `MX{204,480}`"),
  min_firmware: Version.nullable()
    .default(null)
    .describe("Oldest compliant version (version-aware ordering); null for no minimum"),
  allowed_firmware: z
    .array(Version)
    .max(100)
    .nullable()
    .default(null)
    .describe("The only compliant versions; null for any (then min_firmware decides)"),
  serial_required: z.boolean().default(false),
  model_must_match_inventory: z.boolean().default(false),
});
export type Baseline = z.infer<typeof BaselineFields>;

export const ComplianceVerdict = z.enum(["compliant", "non_compliant", "unknown"]);
export type ComplianceVerdict = z.infer<typeof ComplianceVerdict>;

/** The rule a device broke (or why nothing can be said), with the observed and the required value. */
export type ComplianceResult = {
  verdict: ComplianceVerdict;
  rule: string | null;
  observed: string | null;
  required: string | null;
};

/** `POST /api/v1/compliance/baselines/`: a baseline of one of the token's organizations. */
export const BaselineInput = z
  .strictObject({
    organization_id: z.number().int().positive().max(Number.MAX_SAFE_INTEGER),
    ...BaselineFields.shape,
  })
  .meta({ id: "NewBaseline" });

/** `PATCH`: any of the fields; the organization stays. */
export const BaselinePatch = z
  .strictObject({
    vendor: BaselineFields.shape.vendor.optional(),
    model_pattern: BaselineFields.shape.model_pattern.unwrap().optional(),
    min_firmware: Version.nullable().optional(),
    allowed_firmware: z.array(Version).max(100).nullable().optional(),
    serial_required: z.boolean().optional(),
    model_must_match_inventory: z.boolean().optional(),
  })
  .meta({ id: "BaselinePatch" });

export const BaselineView = z
  .object({
    id: z.string(),
    organization_id: z.number().int(),
    vendor: z.string(),
    model_pattern: z.string(),
    min_firmware: z.string().nullable(),
    allowed_firmware: z.array(z.string()).nullable(),
    serial_required: z.boolean(),
    model_must_match_inventory: z.boolean(),
    created_at: z.iso.datetime(),
    updated_at: z.iso.datetime(),
  })
  .meta({ id: "Baseline" });
export type BaselineView = z.infer<typeof BaselineView>;
