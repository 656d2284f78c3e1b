import type { FieldError } from "@headless-ops/contracts";
import type { FastifySchemaCompiler } from "fastify";
import type { z } from "zod";
import { HttpError, unprocessable } from "./errors.js";

/** Zod issues as field errors; each unknown key becomes its own entry named by its full path. */
export function fieldErrors(
  issues: readonly z.core.$ZodIssue[],
  prefix: (string | number)[] = [],
): FieldError[] {
  const out: FieldError[] = [];
  for (const issue of issues) {
    const base = [...prefix, ...issue.path.map((p) => (typeof p === "symbol" ? String(p) : p))];
    if (issue.code === "unrecognized_keys") {
      for (const key of issue.keys) out.push({ path: [...base, key].join("."), message: "unknown field" });
    } else {
      out.push({ path: base.join(".") || "(body)", message: issue.message });
    }
  }
  return out;
}

/** Parses with a zod schema or throws 422 listing every bad field. */
export function parseOr422<S extends z.ZodType>(
  schema: S,
  value: unknown,
  prefix: (string | number)[] = [],
): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw unprocessable(fieldErrors(parsed.error.issues, prefix));
  return parsed.data;
}

/**
 * Validates querystring and params with the route's zod schema (422 naming each field). Bodies
 * pass through untouched: their handlers accept several forms (JSON, `data` string, form, CSV) and
 * parse them with the same schemas, which also document them in the OpenAPI document.
 */
export const validatorCompiler: FastifySchemaCompiler<z.ZodType> =
  ({ schema, httpPart }) =>
  (data) => {
    if (httpPart === "body") return { value: data };
    const parsed = schema.safeParse(data);
    if (parsed.success) return { value: parsed.data };
    const what =
      httpPart === "headers" ? "headers" : httpPart === "params" ? "path parameters" : "query parameters";
    const error = new HttpError(422, `Invalid ${what}.`, fieldErrors(parsed.error.issues));
    return { error };
  };
