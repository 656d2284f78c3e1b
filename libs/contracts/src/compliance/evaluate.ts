import picomatch from "picomatch";
import type { Baseline, ComplianceResult } from "./baseline.js";
import { compareFirmware, sameFirmware } from "./firmware-version.js";

/** What a probe saw of a device, and what the inventory records. */
export type ComplianceInput = {
  /** The ledger status: only a device probed successfully has values to judge. */
  status: string;
  observed: {
    serial?: string | null;
    model?: string | null;
    vendor?: string | null;
    firmware?: string | null;
  };
  recordedModel: string | null;
};

const result = (
  verdict: ComplianceResult["verdict"],
  rule: string | null,
  observed: string | null = null,
  required: string | null = null,
): ComplianceResult => ({ verdict, rule, observed, required });

/** A matcher per baseline, compiled once per report (picomatch: case-insensitive globs). */
export function compileBaselines(baselines: readonly Baseline[]) {
  return baselines.map((b) => ({ baseline: b, model: picomatch(b.model_pattern, { nocase: true }) }));
}
export type CompiledBaselines = ReturnType<typeof compileBaselines>;

function firmwareRule(b: Baseline, firmware: string | null | undefined): ComplianceResult | undefined {
  if (!b.allowed_firmware && !b.min_firmware) return undefined;
  if (!firmware)
    return result(
      "non_compliant",
      "firmware_missing",
      null,
      b.min_firmware ?? b.allowed_firmware?.join(" | ") ?? null,
    );
  if (b.allowed_firmware && !b.allowed_firmware.some((v) => sameFirmware(v, firmware))) {
    return result("non_compliant", "firmware_not_allowed", firmware, b.allowed_firmware.join(" | "));
  }
  if (b.min_firmware) {
    const c = compareFirmware(firmware, b.min_firmware);
    if (c === undefined) return result("unknown", "firmware_unparseable", firmware, `>= ${b.min_firmware}`);
    if (c < 0) return result("non_compliant", "firmware_below_minimum", firmware, `>= ${b.min_firmware}`);
  }
  return undefined;
}

function oneBaseline(b: Baseline, input: ComplianceInput): ComplianceResult | undefined {
  const o = input.observed;
  if (b.serial_required && !o.serial?.trim())
    return result("non_compliant", "serial_required", null, "a serial");
  if (b.model_must_match_inventory && (o.model ?? null) !== input.recordedModel) {
    return result("non_compliant", "model_must_match_inventory", o.model ?? null, input.recordedModel);
  }
  return firmwareRule(b, o.firmware);
}

/**
 * The verdict of one device against its organization's baselines: `unknown` when it was not probed
 * successfully or no baseline matches its vendor and model; otherwise the first rule a matching
 * baseline finds broken (`non_compliant`), else `compliant`.
 */
export function evaluateCompliance(compiled: CompiledBaselines, input: ComplianceInput): ComplianceResult {
  if (input.status !== "succeeded") return result("unknown", "not_probed", input.status);
  const vendor = input.observed.vendor?.trim().toLowerCase();
  const model = input.observed.model ?? input.recordedModel ?? "";
  const matching = compiled.filter(
    (c) => vendor !== undefined && c.baseline.vendor.toLowerCase() === vendor && c.model(model),
  );
  if (matching.length === 0) return result("unknown", "no_matching_baseline");
  for (const { baseline } of matching) {
    const broken = oneBaseline(baseline, input);
    if (broken) return broken;
  }
  return result("compliant", null);
}
