/** Coerces anything thrown into an Error, so handlers can rely on `.message`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : JSON.stringify(value));
}

/** A failure that will not go away by retrying (bad input, a missing row). */
export class UnrecoverableError extends Error {
  override readonly name = "UnrecoverableError";
  readonly code: string = "unrecoverable";
}
