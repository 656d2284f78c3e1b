/** Coerces anything thrown into an Error, so handlers can rely on `.message`. */
export function toError(value: unknown): Error {
  if (value instanceof Error) return value;
  return new Error(typeof value === "string" ? value : JSON.stringify(value));
}
