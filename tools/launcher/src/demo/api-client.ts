import { type ApiClient, createClient } from "@headless-ops/client";

export type { ApiClient };

/** A demo request that takes longer than this has failed (the API is local, the import one CSV). */
const TIMEOUT_MS = 60_000;

/** The typed client of the API (`@headless-ops/client`, generated from its OpenAPI document). */
export function demoApiClient(baseUrl: string, token: string): ApiClient {
  return createClient(baseUrl, token, {
    fetch: (request) => fetch(request, { signal: AbortSignal.timeout(TIMEOUT_MS) }),
  });
}

type FieldError = { path: string; message: string };

/** The API's `detail` and its first field errors, or the start of a body that is not the error shape. */
function detailOf(error: unknown): string {
  if (typeof error === "string") return error.slice(0, 500);
  if (typeof error !== "object" || error === null) return "";
  const { detail, errors } = error as { detail?: string; errors?: FieldError[] };
  const fields = (errors ?? []).slice(0, 5).map((e) => `${e.path}: ${e.message}`);
  return [detail, ...fields].filter(Boolean).join("; ");
}

/**
 * The data of a successful answer; otherwise an Error naming the request, the status and the API's
 * detail, so the launcher's log says why the demo could not be seeded.
 */
export function dataOf<T>(what: string, result: { data?: T; error?: unknown; response: Response }): T {
  if (!result.response.ok) {
    throw new Error(`${what} answered ${result.response.status}: ${detailOf(result.error)}`);
  }
  return result.data as T;
}
