import { join } from "node:path";
import SwaggerParser from "@apidevtools/swagger-parser";
import { repoRoot } from "@headless-ops/testkit";
import { lintFromString, loadConfig } from "@redocly/openapi-core";
import { Ajv2020 } from "ajv/dist/2020.js";
import addFormats from "ajv-formats";
import type { OpenAPIV3_1 } from "openapi-types";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

type Operation = OpenAPIV3_1.OperationObject;
type Response = OpenAPIV3_1.ResponseObject;

let h: Harness;
let doc: OpenAPIV3_1.Document;

beforeAll(async () => {
  h = await startHarness({}, { PUBLIC_URL: "https://ops.example.net/" });
  const res = await h.app.inject({ method: "GET", url: "/docs/json" });
  expect(res.statusCode).toBe(200);
  doc = res.json();
});
afterAll(async () => {
  await h?.close();
});

/** Every operation of the document with its path and method: new routes are checked without listing them. */
function operations(): { path: string; method: string; op: Operation }[] {
  return Object.entries(doc.paths ?? {}).flatMap(([path, item]) =>
    Object.entries(item ?? {}).map(([method, op]) => ({ path, method, op: op as Operation })),
  );
}
const schema = (name: string) => doc.components?.schemas?.[name] as Record<string, unknown>;

describe("the OpenAPI document", () => {
  it("is valid OpenAPI 3.1 for @apidevtools/swagger-parser", async () => {
    expect(doc.openapi).toBe("3.1.0");
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeDefined();
  });

  it("passes `redocly lint` with the recommended ruleset (redocly.yaml) without a single problem", async () => {
    const config = await loadConfig({ configPath: join(repoRoot, "redocly.yaml") });
    const problems = await lintFromString({
      source: JSON.stringify(doc),
      absoluteRef: join(repoRoot, "openapi.json"),
      config,
    });
    expect(problems.map((p) => `${p.severity} ${p.ruleId}: ${p.message} ${p.location[0]?.pointer}`)).toEqual(
      [],
    );
  });

  it("writes every schema in plain JSON Schema 2020-12 (Ajv strict mode: no OpenAPI 3.0 keyword left)", () => {
    const ajv = new Ajv2020({ strict: true });
    addFormats.default(ajv);
    // The component schemas as one 2020-12 schema: `#/components/schemas/X` becomes `#/$defs/X`.
    const text = JSON.stringify(doc.components?.schemas).replaceAll("#/components/schemas/", "#/$defs/");
    const $defs = JSON.parse(text) as Record<string, unknown>;
    ajv.addSchema({ $id: "urn:headless-ops:components", $defs });
    for (const name of Object.keys($defs)) {
      expect(() => ajv.compile({ $ref: `urn:headless-ops:components#/$defs/${name}` }), name).not.toThrow();
    }
  });

  it("names each operation with a unique operationId and a summary, and describes every response", () => {
    const all = operations();
    expect(all.length).toBeGreaterThanOrEqual(11);
    const ids = all.map(({ op }) => op.operationId);
    expect(ids.every((id) => typeof id === "string" && /^[a-z][A-Za-z]+$/.test(id))).toBe(true);
    expect(new Set(ids).size).toBe(ids.length);
    for (const { op } of all) expect(op.summary, op.operationId).toBeTruthy();
    expect(JSON.stringify(doc)).not.toContain("Default Response");
  });

  it("documents, on every /api operation, the error statuses the server can send, with the error shape", () => {
    for (const { path, method, op } of operations().filter((o) => o.path.startsWith("/api/"))) {
      const writes = method !== "get";
      const byId = path.includes("{");
      // A GET without parameters (GET /api/v1/me: about the caller) has nothing to refuse or miss.
      const bare = !writes && (op.parameters ?? []).length === 0;
      // A collection's event stream has no page to be past, so no 404 (503 when the server is full).
      const stream = "text/event-stream" in ((op.responses?.["200"] as Response)?.content ?? {});
      const expected = [
        ...["401", "429", "500"],
        ...(bare ? [] : ["422"]),
        ...(byId || (!writes && !stream && !bare) ? ["404"] : []),
        ...(stream ? ["503"] : []),
        ...(byId || writes ? ["400"] : []),
        ...(writes ? ["403", "413", "415"] : []),
      ];
      const responses = op.responses ?? {};
      expect(Object.keys(responses), `${method} ${path}`).toEqual(expect.arrayContaining(expected));
      expect(
        Object.keys(responses).some((s) => s.startsWith("2")),
        `${method} ${path}`,
      ).toBe(true);
      for (const [status, raw] of Object.entries(responses)) {
        const response = raw as Response;
        const limitHeaders = ["X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"];
        expect(Object.keys(response.headers ?? {})).toEqual(expect.arrayContaining(limitHeaders));
        if (Number(status) >= 400) {
          expect(response.content?.["application/json"]?.schema).toEqual({
            $ref: "#/components/schemas/Error",
          });
        }
      }
      expect(Object.keys((responses["429"] as Response).headers ?? {})).toContain("Retry-After");
    }
    expect(doc.components?.headers?.["Retry-After"]).toMatchObject({ required: true });
  });

  it("names every envelope and keeps only the components it uses", () => {
    const names = Object.keys(doc.components?.schemas ?? {});
    expect(names).toEqual(
      expect.arrayContaining([
        "PaginatedOperations",
        "PaginatedDevices",
        "PaginatedDeviceResults",
        "PaginatedTokens",
        "PaginatedAuditEvents",
        "DeviceBatch",
        "DeviceImportResult",
        "CreateOperation",
        "CreateOperationEnvelope",
        "Operation",
        "OperationCreated",
        "Device",
        "NewDevice",
        "DevicePatch",
        "Error",
      ]),
    );
    const text = JSON.stringify({ paths: doc.paths, components: { ...doc.components, schemas: undefined } });
    const schemasText = JSON.stringify(doc.components?.schemas);
    for (const name of names) {
      const ref = `"#/components/schemas/${name}"`;
      expect(text.includes(ref) || schemasText.includes(ref), name).toBe(true);
    }
    expect(schemasText).not.toMatch(/"\$schema"|"\$id"|"nullable"|PLACEHOLDER/);
  });

  it("makes fields with a server default optional in requests and required in responses", () => {
    const create = schema("CreateOperation") as { properties: Record<string, Record<string, unknown>> };
    const scheduleOf = create.properties.schedule as { required?: string[]; properties: object };
    expect(scheduleOf.required ?? []).not.toContain("priority");
    const options = create.properties.options as { required?: string[] };
    expect(options.required ?? []).toEqual([]);
    expect((schema("NewDevice") as { required: string[] }).required).not.toContain("status");
    expect((schema("Device") as { required: string[] }).required).toEqual(
      expect.arrayContaining(["status", "driver", "has_credentials"]),
    );
  });

  it("documents page_size as at most 200, DELETE 204 without a body, the three POST forms and the CSV import", () => {
    const list = doc.paths?.["/api/v1/devices/"]?.get as Operation;
    const pageSize = (list.parameters as OpenAPIV3_1.ParameterObject[]).find((p) => p.name === "page_size");
    expect(pageSize?.schema).toMatchObject({ type: "integer", minimum: 1, maximum: 200, default: 50 });
    const deleted = doc.paths?.["/api/v1/devices/{id}"]?.delete?.responses?.["204"] as Response;
    expect(deleted.description).toBeTruthy();
    expect(deleted.content).toBeUndefined();
    const post = doc.paths?.["/api/v1/inventory_device_serial_headless_operation/"]?.post as Operation;
    const content = (post.requestBody as OpenAPIV3_1.RequestBodyObject).content;
    expect(content["application/json"]?.schema).toEqual({
      anyOf: [
        { $ref: "#/components/schemas/CreateOperation" },
        { $ref: "#/components/schemas/CreateOperationEnvelope" },
      ],
    });
    expect(content["application/x-www-form-urlencoded"]?.schema).toEqual({
      $ref: "#/components/schemas/CreateOperationEnvelope",
    });
    const csv = doc.paths?.["/api/v1/devices/import"]?.post as Operation;
    expect((csv.requestBody as OpenAPIV3_1.RequestBodyObject).content["text/csv"]?.schema).toMatchObject({
      type: "string",
    });
  });

  it("takes servers from PUBLIC_URL and carries a license", () => {
    expect(doc.servers).toEqual([{ url: "https://ops.example.net", description: expect.any(String) }]);
    expect(doc.info.license?.name).toBeTruthy();
    expect(doc.paths?.["/api/v1/devices/"]).toBeDefined();
  });
});
