import { badRequest } from "./errors.js";

/**
 * The operation configuration from any of the three documented body forms: the JSON object itself,
 * `{"data": "<JSON string>"}`, or a form-encoded `data` field (parsed by @fastify/formbody).
 * An unparseable `data` string is a 400, like malformed JSON; what it contains is validated later.
 */
export function unwrapDataBody(body: unknown): unknown {
  if (body === undefined || body === null || body === "") throw badRequest("A request body is required.");
  if (typeof body !== "object" || Array.isArray(body)) return body;
  const record = body as Record<string, unknown>;
  const keys = Object.keys(record);
  if (keys.length !== 1 || keys[0] !== "data") return body;
  const data = record.data;
  if (typeof data !== "string") return data;
  try {
    return JSON.parse(data);
  } catch (err) {
    throw badRequest("The `data` field is not valid JSON.", [
      { path: "data", message: err instanceof Error ? err.message : "invalid JSON" },
    ]);
  }
}
