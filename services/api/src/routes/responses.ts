import { ErrorBody } from "@headless-ops/contracts";
import { z } from "zod";

/*
 * Error responses for the OpenAPI document: every one has the one error shape (`Error`). A status is
 * listed where the server can send it, so a generated client knows every answer it may get; the
 * contract test fails on a response whose status a route does not list.
 */

const error = (description: string) => ErrorBody.describe(description);

const common = {
  401: error("Missing, unknown or revoked token"),
  422: error("Invalid query, path or body parameters, one entry per bad field (unknown keys included)"),
  429: error("Rate limit of the token (or, without one, of the client address) exceeded; see Retry-After"),
  500: error("Internal error; the detail never carries internals (logged with the request id)"),
} as const;
const badUrl = { 400: error("Malformed URL: a path parameter with broken percent-encoding") } as const;
const badBody = {
  400: error("Malformed JSON, an unparseable `data` string or a broken CSV"),
  403: error("Read-only token (role viewer), or organizations the token may not act on"),
  413: error("Body larger than BODY_LIMIT_BYTES"),
  415: error("Content-Type the route does not accept, or a body without a Content-Type"),
} as const;
const unknownId = { 404: error("Unknown id, or one the token's organizations cannot see") } as const;

/** A GET about the caller itself (no parameters): only authentication, rate limit and faults. */
export const selfErrorResponses = { 401: common[401], 429: common[429], 500: common[500] } as const;

/** A GET of a collection: 404 only for a page past the last one; 400 for a Host its page links cannot use. */
export const listErrorResponses = {
  ...common,
  400: error("Host header that is not a plausible host name (page links use it when PUBLIC_URL is unset)"),
  404: error("Page past the last one"),
} as const;

/** A GET of one resource (`{id}` in the path), or of a collection under it. */
export const readErrorResponses = { ...common, ...badUrl, ...unknownId } as const;

/** A write (POST, PATCH, DELETE) on a resource named in the path: a viewer is refused, a body checked. */
export const writeErrorResponses = { ...common, ...unknownId, ...badBody } as const;

/** A write on a collection (no `{id}`): as a write, without the unknown id. */
export const createErrorResponses = { ...common, ...badBody } as const;

/** Every error status (kept for routes written before the split): prefer the sets above. */
export const errorResponses = writeErrorResponses;

/**
 * An admin-only route: its set (one of the above) with the 403 every other role gets. The 403 of a
 * write set is replaced, since a viewer is refused there as a non-admin, not as read-only.
 */
export const adminErrorResponses = <T extends Record<number, z.ZodType>>(set: T) => ({
  ...set,
  403: error("Not an admin token (role operator or viewer), or organizations the admin does not hold"),
});

/**
 * The security requirement of an admin-only route: OpenAPI 3.1 lets a non-OAuth scheme list the roles
 * it needs, so a client (and the contract test) can tell admin routes from the document alone.
 */
export const adminSecurity = [{ bearer: ["admin"] }];

/** 409 for routes whose state or unique keys can conflict. */
export const conflictResponse = (description: string) => ({ 409: error(description) });

/** A response without a body (204). */
export const noContent = (description: string) => z.undefined().describe(description);
