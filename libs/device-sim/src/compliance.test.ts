import {
  type Baseline,
  BaselineFields,
  compareFirmware,
  compileBaselines,
  evaluateCompliance,
} from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { families } from "./catalog.js";
import { expectedProbe } from "./expected.js";
import { buildFleet } from "./fleet-model.js";

/** Per family of the catalog, the newest image is the minimum: exactly the older images violate it. */
function newestImageBaselines(): Baseline[] {
  return families.map((f) => {
    const newest = [...f.firmwares].sort((a, b) => compareFirmware(a, b) ?? 0).at(-1) as string;
    return BaselineFields.parse({ vendor: f.vendor, model_pattern: f.model, min_firmware: newest });
  });
}

describe("compliance over the simulator's fleet", () => {
  const fleet = buildFleet({ devices: 2000, seed: 14, faultRate: 0.1 });
  const compiled = compileBaselines(newestImageBaselines());
  const newestOf = new Map(newestImageBaselines().map((b) => [b.model_pattern, b.min_firmware]));

  const verdicts = fleet.map((spec) => {
    const probe = expectedProbe(spec);
    const ok = probe.ok === true;
    return {
      spec,
      ok,
      result: evaluateCompliance(compiled, {
        status: ok ? "succeeded" : "failed",
        observed: ok ? probe : {},
        recordedModel: spec.model,
      }),
    };
  });

  it("finds exactly the devices on an older image non-compliant, with observed and required", () => {
    const older = verdicts.filter((v) => v.ok && v.spec.firmware !== newestOf.get(v.spec.model));
    const flagged = verdicts.filter((v) => v.result.verdict === "non_compliant");
    expect(older.length).toBeGreaterThan(100);
    expect(flagged.map((v) => v.spec.hostname)).toEqual(older.map((v) => v.spec.hostname));
    expect(new Set(flagged.map((v) => v.spec.hostname)).size).toBe(flagged.length);
    for (const v of flagged) {
      expect(v.result).toEqual({
        verdict: "non_compliant",
        rule: "firmware_below_minimum",
        observed: v.spec.firmware,
        required: `>= ${newestOf.get(v.spec.model)}`,
      });
    }
  });

  it("finds the devices on the newest image compliant, and the ones not probed unknown", () => {
    const newest = verdicts.filter((v) => v.ok && v.spec.firmware === newestOf.get(v.spec.model));
    expect(newest.length).toBeGreaterThan(100);
    expect(newest.every((v) => v.result.verdict === "compliant")).toBe(true);
    const failed = verdicts.filter((v) => !v.ok);
    expect(failed.length).toBeGreaterThan(0);
    expect(failed.every((v) => v.result.verdict === "unknown" && v.result.rule === "not_probed")).toBe(true);
  });
});
