import { describe, expect, it } from "vitest";
import { BaselineFields } from "./baseline.js";
import { compileBaselines, evaluateCompliance } from "./evaluate.js";

const baseline = (fields: Record<string, unknown>) => BaselineFields.parse({ vendor: "Cisco", ...fields });
const judge = (baselines: Record<string, unknown>[], observed: Record<string, string | null>, extra = {}) =>
  evaluateCompliance(compileBaselines(baselines.map(baseline)), {
    status: "succeeded",
    observed: { vendor: "Cisco", model: "C9300-48P", serial: "FOC1234", ...observed },
    recordedModel: "C9300-48P",
    ...extra,
  });

describe("evaluateCompliance", () => {
  it("judges the minimum firmware version-aware", () => {
    expect(judge([{ min_firmware: "17.9.4a" }], { firmware: "17.12.3" }).verdict).toBe("compliant");
    expect(judge([{ min_firmware: "17.9.4a" }], { firmware: "17.9.4a" }).verdict).toBe("compliant");
    expect(judge([{ min_firmware: "17.9.4a" }], { firmware: "17.9.4" })).toEqual({
      verdict: "non_compliant",
      rule: "firmware_below_minimum",
      observed: "17.9.4",
      required: ">= 17.9.4a",
    });
  });

  it("lets an allowed_firmware entry without digits match that exact name", () => {
    const named = [{ allowed_firmware: ["golden-image", "17.12.3"] }];
    expect(judge(named, { firmware: "GOLDEN-IMAGE" }).verdict).toBe("compliant");
    expect(judge(named, { firmware: "v17.12.3" }).verdict).toBe("compliant");
    expect(judge(named, { firmware: "silver-image" })).toMatchObject({
      verdict: "non_compliant",
      rule: "firmware_not_allowed",
    });
  });

  it("judges an exact allowed list", () => {
    const allowed = [{ allowed_firmware: ["17.9.5", "17.12.3"] }];
    expect(judge(allowed, { firmware: "17.12.3" }).verdict).toBe("compliant");
    expect(judge(allowed, { firmware: "17.12.4" })).toMatchObject({
      rule: "firmware_not_allowed",
      observed: "17.12.4",
      required: "17.9.5 | 17.12.3",
    });
  });

  it("applies the serial and the inventory-model rules", () => {
    expect(judge([{ serial_required: true }], { serial: "" })).toMatchObject({ rule: "serial_required" });
    expect(judge([{ serial_required: true }], {}).verdict).toBe("compliant");
    expect(judge([{ model_must_match_inventory: true }], { model: "C9300-24T" })).toMatchObject({
      verdict: "non_compliant",
      rule: "model_must_match_inventory",
      observed: "C9300-24T",
      required: "C9300-48P",
    });
  });

  it("matches vendor case-insensitively and the model by glob; no match is unknown", () => {
    expect(
      judge([{ vendor: "cisco", model_pattern: "c9300-*", min_firmware: "18.1" }], { firmware: "17.9.5" })
        .rule,
    ).toBe("firmware_below_minimum");
    expect(judge([{ model_pattern: "C9500-*", min_firmware: "18.1" }], { firmware: "17.9.5" })).toMatchObject(
      {
        verdict: "unknown",
        rule: "no_matching_baseline",
      },
    );
    expect(judge([{ vendor: "Juniper" }], {}).verdict).toBe("unknown");
    expect(judge([], {}).verdict).toBe("unknown");
  });

  it("is unknown for a device not probed successfully, and for an unparseable firmware", () => {
    expect(judge([{ min_firmware: "1.0" }], {}, { status: "failed" })).toMatchObject({
      verdict: "unknown",
      rule: "not_probed",
    });
    expect(judge([{ min_firmware: "17.9.4" }], { firmware: "n/a" })).toMatchObject({ verdict: "unknown" });
  });

  it("reports the first broken rule when several baselines match", () => {
    const result = judge(
      [{ min_firmware: "17.6.1" }, { model_pattern: "C9300-*", min_firmware: "17.12.1" }],
      {
        firmware: "17.9.5",
      },
    );
    expect(result).toMatchObject({ rule: "firmware_below_minimum", required: ">= 17.12.1" });
  });
});
