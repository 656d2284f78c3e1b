import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./harness.js";

const BASE = "/api/v1/compliance/baselines/";
let h: Harness;
let auth: string;

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102])).auth;
});
afterAll(() => h?.close());

const call = (
  method: "GET" | "POST" | "PATCH" | "DELETE",
  url: string,
  payload?: Record<string, unknown>,
  token = auth,
) =>
  payload === undefined
    ? h.app.inject({ method, url, headers: { authorization: token } })
    : h.app.inject({ method, url, headers: { authorization: token }, payload });

describe("/api/v1/compliance/baselines/", () => {
  it("creates with defaults, gets, lists, patches and deletes", async () => {
    const created = await call("POST", BASE, {
      organization_id: 101,
      vendor: "Cisco",
      min_firmware: "17.9.4a",
    });
    expect(created.statusCode).toBe(201);
    const b = created.json();
    expect(b).toMatchObject({
      organization_id: 101,
      vendor: "Cisco",
      model_pattern: "*",
      min_firmware: "17.9.4a",
      allowed_firmware: null,
      serial_required: false,
      model_must_match_inventory: false,
    });
    expect((await call("GET", `${BASE}${b.id}`)).json()).toEqual(b);
    const patched = await call("PATCH", `${BASE}${b.id}`, {
      allowed_firmware: ["17.12.3"],
      serial_required: true,
    });
    expect(patched.statusCode).toBe(200);
    expect(patched.json()).toMatchObject({
      min_firmware: "17.9.4a",
      allowed_firmware: ["17.12.3"],
      serial_required: true,
    });
    const list = await call("GET", BASE);
    expect(list.json().results.map((x: { id: string }) => x.id)).toContain(b.id);
    expect((await call("DELETE", `${BASE}${b.id}`)).statusCode).toBe(204);
    expect((await call("GET", `${BASE}${b.id}`)).statusCode).toBe(404);
  });

  it("keeps tenants apart: 403 creating for another organization, 404 reading or changing another's", async () => {
    const other = (await h.token([103])).auth;
    expect((await call("POST", BASE, { organization_id: 103, vendor: "Cisco" })).statusCode).toBe(403);
    const theirs = (await call("POST", BASE, { organization_id: 103, vendor: "Juniper" }, other)).json();
    expect((await call("GET", `${BASE}${theirs.id}`)).statusCode).toBe(404);
    expect((await call("PATCH", `${BASE}${theirs.id}`, { vendor: "x" })).statusCode).toBe(404);
    expect((await call("DELETE", `${BASE}${theirs.id}`)).statusCode).toBe(404);
    expect((await call("GET", BASE)).json().results.some((x: { id: string }) => x.id === theirs.id)).toBe(
      false,
    );
    expect((await call("GET", `${BASE}${theirs.id}`, undefined, other)).json().vendor).toBe("Juniper");
  });

  it("lets viewers read and not write; refuses invalid bodies with 422", async () => {
    const viewer = (await h.token([101], "viewer")).auth;
    const b = (await call("POST", BASE, { organization_id: 101, vendor: "Arista" })).json();
    expect((await call("GET", `${BASE}${b.id}`, undefined, viewer)).statusCode).toBe(200);
    expect((await call("POST", BASE, { organization_id: 101, vendor: "Arista" }, viewer)).statusCode).toBe(
      403,
    );
    expect((await call("DELETE", `${BASE}${b.id}`, undefined, viewer)).statusCode).toBe(403);
    expect((await call("POST", BASE, { organization_id: 101 })).statusCode).toBe(422);
    expect((await call("POST", BASE, { organization_id: 101, vendor: "A", extra: 1 })).statusCode).toBe(422);
    expect((await call("PATCH", `${BASE}${b.id}`, { allowed_firmware: "17.1" })).statusCode).toBe(422);
  });
});
