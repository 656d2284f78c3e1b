import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { FastifyInstance } from "fastify";
import type { OpenAPIV3_1 } from "openapi-types";

/*
 * The contract check of the API tests: every response an injected request gets is validated against
 * the document the app serves, with Ajv's JSON Schema 2020-12 dialect (the dialect of OpenAPI 3.1).
 * A status a route does not document, a body where none is documented, an undocumented media type, a
 * missing required header or a body its schema refuses is a failure.
 */

export type Exchange = {
  method: string;
  /** The route as fastify knows it (`/api/v1/devices/:id`). */
  route: string;
  status: number;
  contentType: string | undefined;
  headers: Record<string, unknown>;
  body: string;
  /** A streamed body (a report): its media type is checked here, its content by the route's own tests. */
  streamed?: boolean;
};

type Operation = OpenAPIV3_1.OperationObject;
type Response = OpenAPIV3_1.ResponseObject;
type Header = OpenAPIV3_1.HeaderObject;

const DOC_ID = "urn:headless-ops:openapi";
const pointer = (...parts: string[]) =>
  parts.map((p) => p.replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

/** `/api/v1/devices/:id` as the document spells it: `/api/v1/devices/{id}`. */
export const openApiPath = (route: string) => route.replace(/:([A-Za-z0-9_]+)/g, "{$1}");

export function createContractValidator(doc: OpenAPIV3_1.Document): (exchange: Exchange) => string[] {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats.default(ajv);
  ajv.addSchema({ ...doc, $id: DOC_ID });
  const compiled = new Map<string, ValidateFunction>();
  const schemaAt = (path: string) => {
    let fn = compiled.get(path);
    if (!fn) {
      fn = ajv.compile({ $ref: `${DOC_ID}#/${path}` });
      compiled.set(path, fn);
    }
    return fn;
  };
  const resolve = <T>(value: T | OpenAPIV3_1.ReferenceObject): T => {
    if (!value || typeof value !== "object" || !("$ref" in value)) return value as T;
    const parts = value.$ref.replace(/^#\//, "").split("/");
    return parts.reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], doc) as T;
  };

  return (ex) => {
    const path = openApiPath(ex.route);
    const item = doc.paths?.[path];
    if (!item || ex.method === "HEAD" || ex.method === "OPTIONS") return [];
    const where = `${ex.method} ${path} → ${ex.status}`;
    const operation = (item as Record<string, Operation | undefined>)[ex.method.toLowerCase()];
    if (!operation) return [`${where}: the document has no ${ex.method} operation`];
    const response = resolve<Response | undefined>(operation.responses?.[String(ex.status)]);
    if (!response) return [`${where}: status not documented for this operation`];
    const problems: string[] = [];
    for (const [name, raw] of Object.entries(response.headers ?? {})) {
      const header = resolve<Header>(raw);
      const value = ex.headers[name.toLowerCase()];
      if (header.required && value === undefined) problems.push(`${where}: required header ${name} missing`);
    }
    const content = response.content;
    if (!content) {
      if (ex.body.length > 0) problems.push(`${where}: a body where the document says there is none`);
      return problems;
    }
    const mediaType = ex.contentType?.split(";")[0]?.trim().toLowerCase() ?? "";
    if (!content[mediaType]) return [...problems, `${where}: undocumented media type "${mediaType}"`];
    if (mediaType !== "application/json" || ex.streamed) return problems;
    const validate = schemaAt(
      pointer(
        "paths",
        path,
        ex.method.toLowerCase(),
        "responses",
        String(ex.status),
        "content",
        mediaType,
        "schema",
      ),
    );
    let body: unknown;
    try {
      body = JSON.parse(ex.body);
    } catch {
      return [...problems, `${where}: the body is not JSON`];
    }
    if (!validate(body)) {
      const errors = (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message}`).join("; ");
      problems.push(`${where}: ${errors}`);
    }
    return problems;
  };
}

const isStream = (payload: unknown) =>
  typeof payload === "object" &&
  payload !== null &&
  typeof (payload as { pipe?: unknown }).pipe === "function";

/**
 * Checks every response of `app` against its own served document (an onSend hook); the failures
 * collect in the returned array, and the harness fails the test file when any is left at close.
 */
export function attachContractCheck(app: FastifyInstance): string[] {
  const failures: string[] = [];
  let check: ((exchange: Exchange) => string[]) | undefined;
  app.addHook("onSend", async (req, reply, payload) => {
    const route = req.routeOptions.url;
    if (!route?.startsWith("/api/")) return payload;
    check ??= createContractValidator(app.swagger() as OpenAPIV3_1.Document);
    const body = typeof payload === "string" ? payload : Buffer.isBuffer(payload) ? payload.toString() : "";
    const contentType = reply.getHeader("content-type");
    failures.push(
      ...check({
        method: req.method,
        route,
        status: reply.statusCode,
        contentType: typeof contentType === "string" ? contentType : undefined,
        headers: reply.getHeaders(),
        body,
        streamed: isStream(payload),
      }),
    );
    return payload;
  });
  return failures;
}
