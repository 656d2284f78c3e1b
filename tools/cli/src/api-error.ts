import { CliError } from "./cli-error.js";

type ErrorBody = { detail?: unknown; errors?: unknown };

/**
 * The API's one error shape (`{detail, errors: [{path, message}]}`) as lines for a person:
 * `HTTP 422: the request is invalid` then one `  path: message` per error.
 */
export function formatApiError(status: number, body: unknown): string {
  const b = (typeof body === "object" && body !== null ? body : {}) as ErrorBody;
  const detail = typeof b.detail === "string" ? b.detail : typeof body === "string" ? body : "";
  const lines = [`HTTP ${status}${detail ? `: ${detail}` : ""}`];
  if (Array.isArray(b.errors)) {
    for (const e of b.errors as { path?: unknown; message?: unknown }[]) {
      const path = typeof e.path === "string" && e.path ? `${e.path}: ` : "";
      lines.push(`  ${path}${String(e.message ?? "")}`);
    }
  }
  return lines.join("\n");
}

/**
 * A 422 naming `dry_run` means the server predates dry runs: say so rather than leave the person
 * to decode "unrecognized key".
 */
export function dryRunUnsupported(status: number, body: unknown): boolean {
  if (status !== 422 && status !== 400) return false;
  return JSON.stringify(body ?? "").includes("dry_run");
}

/** openapi-fetch's `{data, error, response}` → the data, or a CliError with the formatted error. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    throw new CliError(formatApiError(result.response.status, result.error), undefined, {
      status: result.response.status,
    });
  }
  return result.data as T;
}

/** fetch's network failures (refused, DNS, TLS) as one line naming the server. */
export function networkError(url: string, err: unknown): CliError {
  const cause = (err as { cause?: { code?: string; message?: string } }).cause;
  const reason = cause?.code ?? cause?.message ?? (err as Error).message;
  return new CliError(`cannot reach ${url}: ${reason}`, undefined, { cause: err });
}
