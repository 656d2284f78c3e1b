import { ErrorBody } from "@headless-ops/contracts";

/** Error responses for the OpenAPI document: every one has the same shape. */
export const errorResponses = {
  400: ErrorBody.describe("Malformed JSON, an unparseable `data` string, or a broken CSV"),
  401: ErrorBody.describe("Missing, unknown or revoked token"),
  403: ErrorBody.describe("Read-only token, or organizations the token may not act on"),
  404: ErrorBody.describe("Unknown id, or one the token's organizations cannot see"),
  413: ErrorBody.describe("Body larger than BODY_LIMIT_BYTES"),
  422: ErrorBody.describe("Valid JSON with invalid parameters, one entry per bad field"),
  429: ErrorBody.describe(
    "Rate limit of the token (or, without one, of the client address) exceeded; see Retry-After",
  ),
} as const;
