import type { AddressInfo } from "node:net";
import { type ApiClient, type CreateOperation, createClient } from "@headless-ops/client";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { device, type Harness, startHarness } from "../../../services/api/test/harness.js";

/* The typed client against a real listening API (the API test harness: its own database, responses
 * checked against the document). */

let h: Harness;
let client: ApiClient;
let baseUrl: string;

beforeAll(async () => {
  h = await startHarness();
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  const { auth } = await h.token([101, 102]);
  client = createClient(`${baseUrl}/`, auth.replace(/^Bearer /, ""));
  const res = await h.app.inject({
    method: "POST",
    url: "/api/v1/devices/",
    headers: { authorization: auth },
    payload: [device(101, { device_type: "switch" }), device(102)],
  });
  expect(res.statusCode).toBe(201);
});
afterAll(() => h?.close());

describe("@headless-ops/client", () => {
  it("creates an operation and gets it back by id", async () => {
    // `priority` and the options have server defaults: the typed body may leave them out.
    const body: CreateOperation = {
      operation_type: "status_refresh",
      target_organizations: [101, 102],
      schedule: { execute_at: "2030-01-01T00:00:00Z" },
    };
    const created = await client.POST("/api/v1/inventory_device_serial_headless_operation/", { body });
    expect(created.response.status).toBe(201);
    expect(created.data).toMatchObject({ status: "scheduled", target_device_count: 2 });
    // 200/201 share one success type: an operation, or a dry run's answer (`dry_run: true`).
    const op = created.data && !("dry_run" in created.data) ? created.data : undefined;
    expect(op?.operation_config.priority).toBe("normal");
    const id = op?.id as string;
    const got = await client.GET("/api/v1/inventory_device_serial_headless_operation/", {
      params: { query: { id } },
    });
    expect(got.response.status).toBe(200);
    expect(got.data?.count).toBe(1);
    expect(got.data?.results[0]).toMatchObject({ id, status: "scheduled", total_devices: 0 });
  });

  it("lists devices with filters and pagination", async () => {
    const page = await client.GET("/api/v1/devices/", {
      params: { query: { device_type: "switch", page_size: 1 } },
    });
    expect(page.response.status).toBe(200);
    expect(page.data?.count).toBe(1);
    expect(page.data?.results[0]?.device_type).toBe("switch");
    expect(page.data?.next).toBeNull();
    expect(page.response.headers.get("x-ratelimit-remaining")).toMatch(/^\d+$/);
  });

  it("returns the one error shape as `error`, with the status", async () => {
    const missing = await client.GET("/api/v1/devices/{id}", { params: { path: { id: "999999" } } });
    expect(missing.response.status).toBe(404);
    expect(missing.error).toEqual({ detail: "Not found.", errors: [] });
    const anonymous = createClient(baseUrl, "hops_not_a_token");
    const refused = await anonymous.GET("/api/v1/devices/");
    expect(refused.response.status).toBe(401);
    expect(refused.error?.detail).toBeTruthy();
  });
});
