import { describe, expect, it } from "vitest";
import { dryRunUnsupported, formatApiError } from "./api-error.js";

describe("API errors for people", () => {
  it("prints the detail and one line per field error", () => {
    const body = {
      detail: "The request is invalid.",
      errors: [
        { path: "target_organizations", message: "Required" },
        { path: "", message: "Unrecognized key: dry_run" },
      ],
    };
    expect(formatApiError(422, body)).toBe(
      "HTTP 422: The request is invalid.\n  target_organizations: Required\n  Unrecognized key: dry_run",
    );
  });

  it("copes with an answer that is not the error shape", () => {
    expect(formatApiError(502, "Bad Gateway")).toBe("HTTP 502: Bad Gateway");
    expect(formatApiError(500, undefined)).toBe("HTTP 500");
  });

  it("recognises a server that refuses the dry_run field", () => {
    expect(
      dryRunUnsupported(422, { detail: "x", errors: [{ path: "", message: 'Unrecognized key: "dry_run"' }] }),
    ).toBe(true);
    expect(
      dryRunUnsupported(422, {
        detail: "x",
        errors: [{ path: "target_organizations", message: "Required" }],
      }),
    ).toBe(false);
    expect(dryRunUnsupported(403, { detail: "dry_run" })).toBe(false);
  });
});
