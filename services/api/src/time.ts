/** ISO-8601 in UTC with a `Z` and whole seconds, as the reference prints timestamps. */
export function isoZ(value: Date | string): string {
  const date = typeof value === "string" ? new Date(value) : value;
  return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

export function isoZOrNull(value: Date | string | null | undefined): string | null {
  return value === null || value === undefined ? null : isoZ(value);
}
