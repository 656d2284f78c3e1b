import { type ApiClient, type components, createClient } from "@headless-ops/client";

export type Operation = components["schemas"]["Operation"];
export type Device = components["schemas"]["Device"];
export type DeviceResult = components["schemas"]["DeviceResult"];
export type CurrentToken = components["schemas"]["CurrentToken"];
export type ApiError = components["schemas"]["Error"];
export type Schedule = components["schemas"]["Schedule"];
export type Baseline = components["schemas"]["Baseline"];
export type { ApiClient };

export const OPERATIONS = "/api/v1/inventory_device_serial_headless_operation/";
export const SCHEDULES = "/api/v1/schedules/";
export const BASELINES = "/api/v1/compliance/baselines/";

/** The typed client on this page's origin (the api serves the dashboard) with the session's token. */
export function clientFor(token: string): ApiClient {
  return createClient(window.location.origin, token);
}

/** One line for a person from the API's error shape (or a network failure). */
export function problemOf(error: unknown, status?: number): string {
  const body = error as Partial<ApiError> | undefined;
  const detail = typeof body?.detail === "string" ? body.detail : "Request failed.";
  const fields = (body?.errors ?? []).map((e) => `${e.path}: ${e.message}`).join("; ");
  return [status ? `${status}` : "", detail, fields].filter(Boolean).join(" ");
}
