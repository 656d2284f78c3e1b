import { Readable } from "node:stream";
import type { FieldError } from "@headless-ops/contracts";
import type { FastifyRequest } from "fastify";
import { unprocessable } from "./errors.js";

/*
 * Postgres refuses U+0000 in text and jsonb: a NUL byte that reached a query would fail it with a 500.
 * Every string of a request (query values, JSON keys and values) is checked before any handler runs,
 * and a NUL is a 422 naming where it was; CSV cells are checked by the streaming CSV reader.
 */

export const NUL_MESSAGE = "must not contain NUL (\\u0000) characters";

type Visit = { value: unknown; key: string | number | undefined; parent: Visit | undefined };

const pathOf = (visit: Visit): string => {
  const parts: (string | number)[] = [];
  for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) parts.unshift(v.key);
  return parts.join(".") || "(body)";
};

/**
 * The path of the first string (object key or value) holding a NUL, or undefined. Iterative, and
 * paths are built only for the hit (parent links): bodies may nest thousands of levels deep.
 */
export function findNul(value: unknown): string | undefined {
  const stack: Visit[] = [{ value, key: undefined, parent: undefined }];
  while (stack.length > 0) {
    const visit = stack.pop() as Visit;
    const v = visit.value;
    if (typeof v === "string") {
      if (v.includes("\u0000")) return pathOf(visit);
    } else if (Array.isArray(v)) {
      for (let i = 0; i < v.length; i += 1) stack.push({ value: v[i], key: i, parent: visit });
    } else if (typeof v === "object" && v !== null) {
      for (const [key, item] of Object.entries(v)) {
        const child = { value: item, key: key.replaceAll("\u0000", "\\u0000"), parent: visit };
        if (key.includes("\u0000")) return pathOf(child);
        stack.push(child);
      }
    }
  }
  return undefined;
}

/** A text body (CSV): the line of the first NUL. */
function nulInText(text: string): string | undefined {
  const at = text.indexOf("\u0000");
  return at < 0 ? undefined : `line ${text.slice(0, at).split("\n").length}`;
}

/** preValidation hook: 422 when the query string or the body carries a NUL character. */
export async function rejectNulBytes(req: FastifyRequest): Promise<void> {
  const inQuery = findNul(req.query);
  if (inQuery) throw unprocessable([{ path: inQuery, message: NUL_MESSAGE }], "Invalid query parameters.");
  // A streamed body (the CSV import) is not here yet: its reader checks every cell as it goes.
  if (req.body instanceof Readable) return;
  const inBody = typeof req.body === "string" ? nulInText(req.body) : findNul(req.body);
  if (inBody) {
    const errors: FieldError[] = [{ path: inBody, message: NUL_MESSAGE }];
    throw unprocessable(errors);
  }
}
