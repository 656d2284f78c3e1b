import createFetchClient, { type Client } from "openapi-fetch";
import type { components, operations, paths } from "./schema.js";

export type { components, operations, paths };

/** The typed client: `client.GET("/api/v1/devices/", { params: { query } })`, paths and bodies checked. */
export type ApiClient = Client<paths>;

type Schemas = components["schemas"];
export type Operation = Schemas["Operation"];
export type OperationCreated = Schemas["OperationCreated"];
export type CreateOperation = Schemas["CreateOperation"];
export type Device = Schemas["Device"];
export type NewDevice = Schemas["NewDevice"];
export type DeviceResult = Schemas["DeviceResult"];
export type Token = Schemas["Token"];
export type NewToken = Schemas["NewToken"];
export type CreatedToken = Schemas["CreatedToken"];
export type AuditEvent = Schemas["AuditEvent"];
export type ApiError = Schemas["Error"];

export type ClientOptions = {
  /** Replaces the global fetch (a test double, an agent with other TLS settings). */
  fetch?: (input: Request) => Promise<Response>;
};

/**
 * A client of the headless-ops API at `baseUrl` (its origin, or PUBLIC_URL), authenticated with a
 * bearer token. Generated from the API's OpenAPI document (libs/client/openapi.json); the CLI and the
 * dashboard use it rather than hand-written fetch calls. Responses are `{ data }` or `{ error }`
 * (the one error shape), with `response` for status and headers.
 */
export function createClient(baseUrl: string, token: string, options: ClientOptions = {}): ApiClient {
  return createFetchClient<paths>({
    baseUrl: baseUrl.replace(/\/+$/, ""),
    headers: { authorization: `Bearer ${token}` },
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
}
