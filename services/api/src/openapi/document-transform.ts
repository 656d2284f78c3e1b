import { isDeepStrictEqual } from "node:util";
import type { SwaggerTransformObject } from "@fastify/swagger";
import { createJsonSchemaTransformObject } from "fastify-type-provider-zod";
import type { OpenAPIV3_1 } from "openapi-types";

type Document = OpenAPIV3_1.Document;
type Schemas = Record<string, unknown>;

const SCHEMAS = "#/components/schemas/";
const zodTransformObject = createJsonSchemaTransformObject({});

/** Names of the component schemas `value` refers to, directly. */
function refsIn(value: unknown, out: Set<string>): Set<string> {
  if (Array.isArray(value)) for (const item of value) refsIn(item, out);
  else if (typeof value === "object" && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key === "$ref" && typeof item === "string" && item.startsWith(SCHEMAS)) {
        out.add(item.slice(SCHEMAS.length));
      } else refsIn(item, out);
    }
  }
  return out;
}

/** Component schemas reachable from the paths (the zod registry holds every named schema of the code). */
function reachable(doc: Document, schemas: Schemas): Set<string> {
  const seen = new Set<string>();
  const queue = [...refsIn(doc.paths, new Set()), ...refsIn(doc.components?.headers, new Set())];
  while (queue.length > 0) {
    const name = queue.pop() as string;
    if (seen.has(name)) continue;
    seen.add(name);
    queue.push(...refsIn(schemas[name], new Set()));
  }
  return seen;
}

function renameRefs<T>(value: T, names: Map<string, string>): T {
  if (names.size === 0) return value;
  return JSON.parse(JSON.stringify(value), (key, item) =>
    key === "$ref" && typeof item === "string" && item.startsWith(SCHEMAS)
      ? `${SCHEMAS}${names.get(item.slice(SCHEMAS.length)) ?? item.slice(SCHEMAS.length)}`
      : item,
  ) as T;
}

/**
 * The request form of a schema is named `<Name>Input` by the type provider (fields with a server
 * default are optional in it). It keeps that name only where a response uses `<Name>` and the two
 * differ; otherwise it is simply `<Name>`, so a client reads `CreateOperation`, not a twin.
 */
function inputNames(schemas: Schemas): Map<string, string> {
  const names = new Map<string, string>();
  for (const name of Object.keys(schemas)) {
    if (!name.endsWith("Input")) continue;
    const base = name.slice(0, -"Input".length);
    if (!(base in schemas) || isDeepStrictEqual(schemas[base], schemas[name])) names.set(name, base);
  }
  return names;
}

const PLACEHOLDER = "__SCHEMA__PLACEHOLDER__";

/**
 * zod's per-schema `$schema` and `$id` (the document's dialect already says 2020-12), and the title
 * the type provider's ref placeholder leaves on an inline union: neither belongs in the document.
 */
function dropGeneratorMarks<T>(value: T): T {
  return JSON.parse(JSON.stringify(value), function (this: Record<string, unknown>, key, item) {
    if (key === "$schema" || key === "$id") return undefined;
    if (key === "title" && item === PLACEHOLDER) return undefined;
    return item;
  }) as T;
}

/** Only the schemas the document uses, each under its plain name where request and response agree. */
function tidySchemas(doc: Document): Document {
  const all = (doc.components?.schemas ?? {}) as Schemas;
  const used = reachable(doc, all);
  let schemas: Schemas = Object.fromEntries(Object.entries(all).filter(([name]) => used.has(name)));
  let out = doc;
  for (let round = 0; round < 4; round += 1) {
    const names = inputNames(schemas);
    if (names.size === 0) break;
    out = renameRefs(out, names);
    schemas = renameRefs(schemas, names);
    for (const [from, to] of names) {
      const value = schemas[from];
      delete schemas[from];
      schemas[to] = value;
    }
  }
  const sorted = Object.fromEntries(Object.entries(schemas).sort(([a], [b]) => a.localeCompare(b)));
  return {
    ...out,
    components: { ...out.components, schemas: sorted as OpenAPIV3_1.ComponentsObject["schemas"] },
  };
}

const HEADERS: Record<string, OpenAPIV3_1.HeaderObject> = {
  "X-RateLimit-Limit": {
    description: "Requests allowed per window for this caller (RATE_LIMIT_MAX)",
    schema: { type: "integer", minimum: 1 },
  },
  "X-RateLimit-Remaining": {
    description: "Requests left in the current window",
    schema: { type: "integer", minimum: 0 },
  },
  "X-RateLimit-Reset": {
    description: "Seconds until the current window ends",
    schema: { type: "integer", minimum: 0 },
  },
  "Retry-After": {
    description: "Seconds to wait before the next request",
    required: true,
    schema: { type: "integer", minimum: 0 },
  },
};
const LIMIT_HEADERS = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"];
const header = (name: string) => ({ $ref: `#/components/headers/${name}` });

/**
 * Every /api response carries the rate-limit headers (set before authentication); a 429 also
 * `Retry-After`. Added here once rather than on each route, so a new route cannot forget them.
 */
function addRateLimitHeaders(doc: Document): void {
  for (const [path, item] of Object.entries(doc.paths ?? {})) {
    if (!path.startsWith("/api/") || !item) continue;
    for (const operation of Object.values(item)) {
      const responses = (operation as OpenAPIV3_1.OperationObject).responses ?? {};
      for (const [status, response] of Object.entries(responses)) {
        const r = response as OpenAPIV3_1.ResponseObject;
        const names = status === "429" ? [...LIMIT_HEADERS, "Retry-After"] : LIMIT_HEADERS;
        r.headers = { ...r.headers, ...Object.fromEntries(names.map((n) => [n, header(n)])) };
      }
    }
  }
  doc.components = { ...doc.components, headers: { ...doc.components?.headers, ...HEADERS } };
}

/** The document as served: zod components, then headers, then only the components it uses. */
export const documentTransform: SwaggerTransformObject = (input) => {
  const doc = dropGeneratorMarks(zodTransformObject(input) as Document);
  addRateLimitHeaders(doc);
  return tidySchemas(doc) as ReturnType<SwaggerTransformObject>;
};
