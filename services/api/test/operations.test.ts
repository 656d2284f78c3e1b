import { CreateOperationBody, OperationCreatedView } from "@headless-ops/contracts";
import { insertOperation, withTransaction } from "@headless-ops/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { normalizeRequest } from "../src/operations/normalize.js";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";

let h: Harness;
let auth: string;

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102, 103])).auth;
  const batch = [
    device(101, { device_type: "router" }),
    device(101, { device_type: "switch", status: "pending" }),
    device(102, { device_type: "router", status: "offline" }),
    device(103, { device_type: "firewall" }),
  ];
  const res = await h.app.inject({
    method: "POST",
    url: DEVICES,
    headers: { authorization: auth },
    payload: batch,
  });
  expect(res.statusCode).toBe(201);
});
afterAll(() => h?.close());

const post = (payload: unknown, headers: Record<string, string> = {}) =>
  h.app.inject({
    method: "POST",
    url: OPS,
    headers: { authorization: auth, ...headers },
    payload: payload as object,
  });

describe("POST /inventory_device_serial_headless_operation/", () => {
  it("answers 201 with every field of the reference's example", async () => {
    const res = await post(referenceBody());
    expect(res.statusCode).toBe(201);
    const body = res.json();
    expect(body).toMatchObject({
      id: expect.stringMatching(/^\d+$/),
      operation_type: "bulk_serial_sync",
      status: "scheduled",
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/),
      scheduled_for: "2024-01-16T02:00:00Z",
      estimated_duration_minutes: 1,
      // routers and switches, active or pending, in 101–103: two of the four devices
      target_device_count: 2,
      operation_config: {
        organizations: [101, 102, 103],
        device_types: ["router", "switch"],
        options: { update_firmware_info: true, validate_connectivity: true, timeout_minutes: 120 },
      },
    });
    // The documented (OpenAPI) schema and the response agree.
    expect(OperationCreatedView.safeParse(body).error).toBeUndefined();
    expect(body.monitoring_url).toBe(`/api/v1/inventory_device_serial_headless_operation/?id=${body.id}`);
    const outbox = await h.db.pool.query("SELECT msg_id, payload FROM outbox WHERE msg_id = $1", [
      `op-${body.id}-created`,
    ]);
    expect(outbox.rows[0]?.payload).toMatchObject({ v: 1, operation_id: body.id, priority: "normal" });
  });

  it("takes the configuration as a `data` JSON string and as a form field", async () => {
    const asString = await post({ data: JSON.stringify(referenceBody([101])) });
    expect(asString.statusCode).toBe(201);
    expect(asString.json().operation_config.organizations).toEqual([101]);
    const form = await h.app.inject({
      method: "POST",
      url: OPS.slice(0, -1), // without the trailing slash
      headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" },
      payload: new URLSearchParams({ data: JSON.stringify(referenceBody([102])) }).toString(),
    });
    expect(form.statusCode).toBe(201);
    expect(form.json().operation_config.organizations).toEqual([102]);
  });

  it("answers 400 for malformed JSON and an unparseable data string, in the one error shape", async () => {
    const malformed = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: auth, "content-type": "application/json" },
      payload: '{"operation_type": ',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json()).toEqual({ detail: expect.any(String), errors: [] });
    const badData = await post({ data: "{nope" });
    expect(badData.statusCode).toBe(400);
    expect(badData.json().errors[0].path).toBe("data");
  });

  it("answers 422 naming each bad field, unknown keys and an execute_at without offset included", async () => {
    const res = await post({
      ...referenceBody(),
      operation_type: "reboot",
      schedule: { execute_at: "2024-01-16T02:00:00", priority: "normal" },
      options: { timeout_minutes: 2000, retries: 3 },
      colour: "blue",
    });
    expect(res.statusCode).toBe(422);
    const paths = res.json().errors.map((e: { path: string }) => e.path);
    expect(paths.sort()).toEqual(
      [
        "colour",
        "operation_type",
        "options.retries",
        "options.timeout_minutes",
        "schedule.execute_at",
      ].sort(),
    );
    const notObject = await post([1, 2]);
    expect(notObject.statusCode).toBe(422);
  });

  it("answers 403 for organizations outside the token, naming them", async () => {
    const { auth: only101 } = await h.token([101]);
    const res = await post(referenceBody([101, 102]), { authorization: only101 });
    expect(res.statusCode).toBe(403);
    expect(res.json().errors).toEqual([
      { path: "target_organizations.1", message: "organization 102 is not accessible with this token" },
    ]);
  });

  it("answers 401 without, with an unknown and with a revoked token; 403 for a viewer", async () => {
    const none = await h.app.inject({ method: "POST", url: OPS, payload: referenceBody() });
    expect(none.statusCode).toBe(401);
    expect(none.json()).toEqual({ detail: "Authentication credentials were not provided.", errors: [] });
    expect((await post(referenceBody(), { authorization: "Bearer hops_nope" })).statusCode).toBe(401);
    const revoked = await h.token([101]);
    await h.db.pool.query("UPDATE api_tokens SET revoked_at = now() WHERE id = $1", [revoked.id]);
    expect((await post(referenceBody([101]), { authorization: revoked.auth })).statusCode).toBe(401);
    const viewer = await h.token([101], "viewer");
    const denied = await post(referenceBody([101]), { authorization: viewer.auth });
    expect(denied.statusCode).toBe(403);
    const read = await h.app.inject({ method: "GET", url: OPS, headers: { authorization: viewer.auth } });
    expect(read.statusCode).toBe(200);
  });

  it("answers 413 for a body over the limit and 415 for an unknown content type", async () => {
    const big = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: auth, "content-type": "application/json" },
      payload: JSON.stringify({ data: "x".repeat(h.config.BODY_LIMIT_BYTES + 10) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json()).toEqual({ detail: expect.any(String), errors: [] });
    const xml = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: auth, "content-type": "application/xml" },
      payload: "<op/>",
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json()).toEqual({ detail: expect.any(String), errors: [] });
  });

  it("returns the original operation for a repeated Idempotency-Key (200, same body), 409 for another request", async () => {
    const first = await post(referenceBody([101]), { "idempotency-key": "nightly-2024-01-16" });
    expect(first.statusCode).toBe(201);
    const again = await post(referenceBody([101]), { "idempotency-key": "nightly-2024-01-16" });
    expect(again.statusCode).toBe(200);
    expect(again.json()).toEqual(first.json());
    const other = await post(referenceBody([102]), { "idempotency-key": "nightly-2024-01-16" });
    expect(other.statusCode).toBe(409);
    // The key is per token: another token with the same key creates its own operation.
    const { auth: second } = await h.token([101]);
    const theirs = await post(referenceBody([101]), {
      authorization: second,
      "idempotency-key": "nightly-2024-01-16",
    });
    expect(theirs.statusCode).toBe(201);
    expect(theirs.json().id).not.toBe(first.json().id);
    // Concurrent replays: one operation.
    const racing = await Promise.all(
      [1, 2, 3].map(() => post(referenceBody([103]), { "idempotency-key": "race" })),
    );
    expect(new Set(racing.map((r) => r.json().id)).size).toBe(1);
    expect(racing.map((r) => r.statusCode).sort()).toEqual([200, 200, 201]);
  });
  it("estimates the duration from the throughput of finished operations", async () => {
    // One finished operation: 10 devices in 10 minutes, i.e. one device a minute. Inserted through
    // the state machine, then its history is written directly (running 10 devices is not the point).
    const { row } = await withTransaction(h.db.pool, (client) =>
      insertOperation(client, "", {
        request: normalizeRequest(CreateOperationBody.parse(referenceBody()), new Date()),
      }),
    );
    await h.db.pool.query(
      `UPDATE operations SET status = 'completed', total_devices = 10, processed_devices = 10,
          started_at = now() - interval '10 minutes', finished_at = now() WHERE id = $1`,
      [row.id],
    );
    const res = await post(referenceBody());
    expect(res.json()).toMatchObject({ target_device_count: 2, estimated_duration_minutes: 2 });
  });
});
