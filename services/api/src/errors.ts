import type { FieldError } from "@headless-ops/contracts";

/**
 * An error with the one HTTP error shape: `{"detail": "...", "errors": [{"path", "message"}]}`.
 * Thrown anywhere in a handler; the error handler renders it as is.
 */
export class HttpError extends Error {
  override readonly name = "HttpError";
  constructor(
    readonly statusCode: number,
    readonly detail: string,
    readonly errors: FieldError[] = [],
  ) {
    super(detail);
  }
}

export const badRequest = (detail: string, errors: FieldError[] = []) => new HttpError(400, detail, errors);
export const unauthorized = (detail = "Authentication credentials were not provided.") =>
  new HttpError(401, detail);
export const forbidden = (
  detail = "You do not have permission to perform this action.",
  errors: FieldError[] = [],
) => new HttpError(403, detail, errors);
/** The same body for "does not exist" and "exists but not yours": ids of other tenants stay unknowable. */
export const notFound = () => new HttpError(404, "Not found.");
export const conflict = (detail: string, errors: FieldError[] = []) => new HttpError(409, detail, errors);
export const unprocessable = (errors: FieldError[], detail = "Invalid parameters.") =>
  new HttpError(422, detail, errors);
