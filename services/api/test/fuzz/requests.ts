import fc from "fast-check";
import { csvBody } from "./csv-bodies.js";
import { applyMutations, mutation, nastyNumber, nastyString } from "./values.js";

/*
 * Generated HTTP requests, one arbitrary per endpoint: hostile path ids, query strings, headers and
 * bodies (mutated valid bodies, truncated and malformed JSON, deep nesting, invalid UTF-8, bodies
 * past the size limit, broken CSV). Every request is a plain object for `app.inject()`.
 */

export type FuzzRequest = {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  url: string;
  headers: Record<string, string>;
  payload?: string | Buffer;
};

export type FuzzWorld = {
  /** Authorization headers: a writer of 101/102 (most requests), and the odd ones. */
  writer: string;
  viewer: string;
  foreign: string;
  /** Ids that exist: the writer's and another organization's. */
  deviceIds: string[];
  operationIds: string[];
  bodyLimit: number;
};

const OPS = "/api/v1/inventory_device_serial_headless_operation/";
const DEVICES = "/api/v1/devices/";

const validOperation = {
  operation_type: "bulk_serial_sync",
  target_organizations: [101, 102],
  device_filters: { types: ["router"], status: ["active"] },
  schedule: { execute_at: "2030-01-01T00:00:00Z", priority: "low" },
  options: { update_firmware_info: true, validate_connectivity: false, timeout_minutes: 5 },
};
const operationPaths = [
  [],
  ["operation_type"],
  ["target_organizations"],
  ["target_organizations", 0],
  ["device_filters"],
  ["device_filters", "types"],
  ["device_filters", "types", 0],
  ["device_filters", "status"],
  ["schedule"],
  ["schedule", "execute_at"],
  ["schedule", "priority"],
  ["options"],
  ["options", "timeout_minutes"],
  ["options", "update_firmware_info"],
];

const validDevice = (n: number) => ({
  organization_id: 101,
  hostname: `fz-${n}`,
  device_type: "switch",
  status: "active",
  mgmt_address: "10.20.30.40",
  mgmt_port: 161,
  driver: "snmp",
  credentials: { version: "v2c", community: "fuzz-community" },
  sim: { latency_ms: 1, fail_rate: 0, serial: "SN1" },
  serial: "SN1",
  model: "M",
  vendor: "V",
  firmware: "1.0",
  last_seen: "2024-01-01T00:00:00Z",
});
const devicePaths = [
  [],
  ["organization_id"],
  ["hostname"],
  ["device_type"],
  ["status"],
  ["mgmt_address"],
  ["mgmt_port"],
  ["driver"],
  ["credentials"],
  ["credentials", "version"],
  ["credentials", "community"],
  ["credentials", "auth_key"],
  ["sim"],
  ["sim", "latency_ms"],
  ["sim", "fail_rate"],
  ["sim", "fail_code"],
  ["sim", "serial"],
  ["serial"],
  ["firmware"],
  ["last_seen"],
];

function authHeader(world: FuzzWorld): fc.Arbitrary<string | undefined> {
  return fc.oneof(
    { weight: 12, arbitrary: fc.constant(world.writer) },
    {
      weight: 2,
      arbitrary: fc.constantFrom(
        undefined,
        "",
        "Bearer",
        "Bearer ",
        "Basic dXNlcjpwYXNz",
        "Bearer hops_not-a-real-token",
        `Bearer ${"a".repeat(5_000)}`,
        `bearer   ${world.writer.slice(7)}  `,
        world.viewer,
        world.foreign,
      ),
    },
    { weight: 1, arbitrary: nastyString.map((s) => `Bearer ${s.replace(/[^\x21-\x7e]/g, "x")}`) },
  );
}

/** Bad and good ids for a path segment (already URL-safe). */
function pathId(known: string[]): fc.Arbitrary<string> {
  return fc.oneof(
    { weight: 3, arbitrary: known.length > 0 ? fc.constantFrom(...known) : fc.constant("1") },
    { weight: 1, arbitrary: fc.nat().map(String) },
    { weight: 1, arbitrary: nastyNumber.map((n) => pct(String(n))) },
    {
      weight: 2,
      arbitrary: fc.oneof(
        fc.constantFrom("0", "-1", "99999999999999999999", "1e3", "%20", "%00", "%ff", "..", "%2e%2e", "1.5"),
        nastyString.map((s) => pct(s.slice(0, 200))),
        fc.constant("9".repeat(120)),
      ),
    },
  );
}

const queryKeys = [
  "page",
  "page_size",
  "id",
  "status",
  "operation_type",
  "organization_id",
  "update_status",
  "device_type",
  "driver",
  "hostname",
  "error_code",
];
/** Percent-encodes the UTF-8 bytes (a lone surrogate becomes U+FFFD, as any client would send it). */
const pct = (s: string) =>
  [...Buffer.from(s, "utf8")]
    .map((b) =>
      /[A-Za-z0-9_.~-]/.test(String.fromCharCode(b))
        ? String.fromCharCode(b)
        : `%${b.toString(16).padStart(2, "0")}`,
    )
    .join("");

const queryValue = fc.oneof(
  fc.constantFrom("1", "2", "0", "-1", "200", "201", "true", "1e999", "", "router", "active", "scheduled"),
  nastyNumber.map(String),
  nastyString,
);
/** A query string: encoded pairs, repeated keys, and raw malformed percent-encoding. */
const queryString: fc.Arbitrary<string> = fc.oneof(
  fc
    .array(fc.tuple(fc.oneof(fc.constantFrom(...queryKeys), nastyString), queryValue), { maxLength: 5 })
    .map((pairs) => pairs.map(([k, v]) => `${pct(k)}=${pct(v)}`).join("&")),
  fc.constantFrom("%", "%zz", "page=%ff%fe", "hostname=%00", "a=1&&&=", "page_size=1&page_size=2", "=", "&"),
);

type Encoded = { payload?: string | Buffer; contentType?: string };

/** A JSON-ish body in one of the ways clients (or attackers) send one. */
function encodedBody(
  value: fc.Arbitrary<unknown>,
  world: FuzzWorld,
  dataForm: boolean,
): fc.Arbitrary<Encoded> {
  const json =
    (contentType = "application/json") =>
    (v: unknown) => ({
      payload: JSON.stringify(v) ?? "",
      contentType,
    });
  const forms: fc.Arbitrary<Encoded>[] = [
    value.map(json()),
    value.map(json()),
    value.map(json()),
    fc.tuple(value, fc.nat()).map(([v, cut]) => {
      const text = JSON.stringify(v) ?? "";
      return { payload: text.slice(0, cut % (text.length + 1)), contentType: "application/json" };
    }),
    fc
      .tuple(fc.integer({ min: 1_000, max: 20_000 }), fc.constantFrom('{"a":', '{"__proto__":', "["))
      .map(([depth, open]) => ({
        payload: `${open.repeat(depth)}1${(open === "[" ? "]" : "}").repeat(depth)}`,
        contentType: "application/json",
      })),
    fc.uint8Array({ maxLength: 300 }).map((bytes) => ({
      payload: Buffer.from(bytes),
      contentType: "application/json",
    })),
    fc.constant({ payload: `{"x":"${"a".repeat(world.bodyLimit)}"}`, contentType: "application/json" }),
    fc
      .tuple(value, fc.constantFrom("text/plain", "text/csv", "application/xml", "multipart/form-data"))
      .map(([v, ct]) => json(ct)(v)),
    fc.constantFrom({}, { payload: "", contentType: "application/json" }, { payload: "null" }),
  ];
  if (dataForm) {
    forms.push(
      value.map((v) => ({
        payload: JSON.stringify({ data: JSON.stringify(v) }),
        contentType: "application/json",
      })),
      fc.tuple(value, fc.nat()).map(([v, cut]) => {
        const text = JSON.stringify(v) ?? "";
        return {
          payload: JSON.stringify({ data: text.slice(0, cut % (text.length + 1)) }),
          contentType: "application/json",
        };
      }),
      value.map((v) => ({
        payload: `data=${pct(JSON.stringify(v) ?? "")}`,
        contentType: "application/x-www-form-urlencoded",
      })),
      fc.constantFrom(
        { payload: "data=%7B%7D&data=x", contentType: "application/x-www-form-urlencoded" },
        { payload: "data=%zz", contentType: "application/x-www-form-urlencoded" },
      ),
    );
  }
  return fc.oneof(...forms);
}

export type Endpoint = {
  name: string;
  request: (world: FuzzWorld) => fc.Arbitrary<FuzzRequest>;
};

/** Assembles a request from its parts; a missing content type is left out, as a client would. */
function build(
  world: FuzzWorld,
  method: FuzzRequest["method"],
  path: fc.Arbitrary<string>,
  body: fc.Arbitrary<Encoded>,
  extraHeaders: fc.Arbitrary<Record<string, string>> = fc.constant({}),
): fc.Arbitrary<FuzzRequest> {
  return fc
    .record({ path, query: fc.option(queryString, { freq: 2 }), auth: authHeader(world), body, extraHeaders })
    .map(({ path: p, query, auth, body: b, extraHeaders: extra }) => {
      const headers: Record<string, string> = { ...extra };
      if (auth !== undefined) headers.authorization = auth;
      if (b.contentType) headers["content-type"] = b.contentType;
      return {
        method,
        url: query === null ? p : `${p}?${query}`,
        headers,
        ...(b.payload === undefined ? {} : { payload: b.payload }),
      };
    });
}

const noBody: fc.Arbitrary<Encoded> = fc.constant({});
const idempotencyKey = fc.oneof(
  fc.constant({}),
  fc
    .oneof(fc.constantFrom("k1", "", " ", "k".repeat(300)), fc.string({ unit: "grapheme-ascii" }))
    .map((k) => ({
      "idempotency-key": k,
    })),
);

const operationBody = fc
  .array(mutation(operationPaths), { maxLength: 3 })
  .map((ms) => applyMutations(validOperation, ms));
const deviceBody = fc
  .tuple(fc.nat(), fc.array(mutation(devicePaths), { maxLength: 3 }))
  .map(([n, ms]) => applyMutations(validDevice(n), ms));
const deviceBatch = fc.oneof(
  fc.array(deviceBody, { maxLength: 8 }),
  fc.integer({ min: 1, max: 3 }).map((k) => Array.from({ length: 10_000 + k }, () => ({}))),
);
const patchBody = fc
  .array(mutation(devicePaths.filter((p) => p.length > 0 && p[0] !== "organization_id")), { maxLength: 3 })
  .map((ms) => applyMutations({}, ms));

export const endpoints: Endpoint[] = [
  { name: "GET operations", request: (w) => build(w, "GET", fc.constant(OPS), noBody) },
  {
    name: "POST operations",
    request: (w) => build(w, "POST", fc.constant(OPS), encodedBody(operationBody, w, true), idempotencyKey),
  },
  {
    name: "GET operation devices",
    request: (w) =>
      build(
        w,
        "GET",
        pathId(w.operationIds).map((id) => `${OPS}${id}/devices/`),
        noBody,
      ),
  },
  {
    name: "POST operation cancel",
    request: (w) =>
      build(
        w,
        "POST",
        pathId(w.operationIds).map((id) => `${OPS}${id}/cancel`),
        encodedBody(fc.jsonValue(), w, false),
      ),
  },
  {
    name: "POST operation retry",
    request: (w) =>
      build(
        w,
        "POST",
        pathId(w.operationIds).map((id) => `${OPS}${id}/retry`),
        encodedBody(fc.jsonValue(), w, false),
      ),
  },
  { name: "GET devices", request: (w) => build(w, "GET", fc.constant(DEVICES), noBody) },
  {
    name: "POST devices",
    request: (w) =>
      build(w, "POST", fc.constant(DEVICES), encodedBody(fc.oneof(deviceBody, deviceBatch), w, false)),
  },
  {
    name: "GET device",
    request: (w) =>
      build(
        w,
        "GET",
        pathId(w.deviceIds).map((id) => `${DEVICES}${id}`),
        noBody,
      ),
  },
  {
    name: "PATCH device",
    request: (w) =>
      build(
        w,
        "PATCH",
        pathId(w.deviceIds).map((id) => `${DEVICES}${id}`),
        encodedBody(patchBody, w, false),
      ),
  },
  {
    name: "DELETE device",
    request: (w) =>
      build(
        w,
        "DELETE",
        pathId(w.deviceIds).map((id) => `${DEVICES}${id}`),
        noBody,
      ),
  },
  {
    name: "POST devices import",
    request: (w) =>
      build(
        w,
        "POST",
        fc.constant(`${DEVICES}import`),
        fc.oneof(
          { weight: 5, arbitrary: csvBody.map((payload) => ({ payload, contentType: "text/csv" })) },
          { weight: 1, arbitrary: csvBody.map((payload) => ({ payload, contentType: "application/json" })) },
          {
            weight: 1,
            arbitrary: fc.constant({
              payload: `organization_id,hostname,device_type\n101,${"h".repeat(w.bodyLimit)},router\n`,
              contentType: "text/csv",
            }),
          },
        ),
      ),
  },
  {
    name: "health, metrics, docs, unknown routes",
    request: (w) =>
      build(
        w,
        "GET",
        fc.constantFrom("/healthz", "/readyz", "/metrics", "/docs/json", "/api/v1/", "/api/v1/nope", "/%00"),
        noBody,
      ),
  },
];
