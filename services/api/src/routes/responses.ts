import { ErrorBody } from "@headless-ops/contracts";
import { z } from "zod";

/*
 * Error responses for the OpenAPI document: every one has the one error shape (`Error`). A status is
 * listed where the server can send it, so a generated client knows every answer it may get; the
 * contract test fails on a response whose status a route does not list.
 */

const error = (description: string) => ErrorBody.describe(description);

/** What any /api route can answer: before routing, at authentication, at the rate limit, on a fault. */
const anyRoute = {
  400: error(
    "Malformed URL (bad percent-encoding), malformed JSON, an unparseable `data` string or a broken CSV",
  ),
  401: error("Missing, unknown or revoked token"),
  404: error("Unknown id, one the token's organizations cannot see, or a page past the last one"),
  422: error("Invalid query, path or body parameters, one entry per bad field (unknown keys included)"),
  429: error("Rate limit of the token (or, without one, of the client address) exceeded; see Retry-After"),
  500: error("Internal error; the detail never carries internals (logged with the request id)"),
} as const;

/** GET routes: reads never need a writer role and carry no body. */
export const readErrorResponses = anyRoute;

/** Routes that write (POST, PATCH, DELETE): a viewer is refused, and a body can be too large or mistyped. */
export const writeErrorResponses = {
  ...anyRoute,
  403: error("Read-only token (role viewer), or organizations the token may not act on"),
  413: error("Body larger than BODY_LIMIT_BYTES"),
  415: error("Content-Type the route does not accept, or a body without a Content-Type"),
} as const;

/** Every error status (kept for routes written before the split): prefer the two sets above. */
export const errorResponses = writeErrorResponses;

/** 409 for routes whose state or unique keys can conflict. */
export const conflictResponse = (description: string) => ({ 409: error(description) });

/** A response without a body (204). */
export const noContent = (description: string) => z.null().describe(description);
