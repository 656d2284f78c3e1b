import { describe, expect, it } from "vitest";
import { unwrapDataBody } from "./body.js";
import { HttpError } from "./errors.js";

const config = { operation_type: "inventory_audit", target_organizations: [101] };

describe("unwrapDataBody", () => {
  it("takes the JSON object itself", () => {
    expect(unwrapDataBody(config)).toEqual(config);
  });

  it("takes a JSON string in `data` (JSON body or form field alike)", () => {
    expect(unwrapDataBody({ data: JSON.stringify(config) })).toEqual(config);
  });

  it("takes an object in `data`", () => {
    expect(unwrapDataBody({ data: config })).toEqual(config);
  });

  it("answers 400 for an unparseable `data` string and for no body", () => {
    for (const body of [{ data: "{not json" }, undefined, ""]) {
      try {
        unwrapDataBody(body);
        expect.unreachable("accepted a bad body");
      } catch (err) {
        expect(err).toBeInstanceOf(HttpError);
        expect((err as HttpError).statusCode).toBe(400);
      }
    }
  });

  it("leaves objects with other keys besides `data` to validation", () => {
    expect(unwrapDataBody({ data: "{}", extra: 1 })).toEqual({ data: "{}", extra: 1 });
  });
});
