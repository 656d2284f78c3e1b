import { DEVICE_BATCH_MAX, ErrorBody, MAX_PAGE_SIZE } from "@headless-ops/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";

/*
 * Limits a client can hit: the body size (413), the per-token rate limit (429 with Retry-After, per
 * token, unauthenticated callers per address), page sizes (clamped to 200) and batch sizes.
 */

const BODY_LIMIT = 32 * 1024;
const RATE_MAX = 20;
let h: Harness;
let auth: string;

beforeAll(async () => {
  h = await startHarness(
    {},
    {
      BODY_LIMIT_BYTES: String(BODY_LIMIT),
      RATE_LIMIT_MAX: String(RATE_MAX),
      RATE_LIMIT_WINDOW_MS: "60000",
    },
  );
  auth = (await h.token([101, 102])).auth;
});
afterAll(() => h?.close());

const expectErrorShape = (body: string) =>
  expect(ErrorBody.safeParse(JSON.parse(body)).error).toBeUndefined();

describe("limits", () => {
  it("a body past BODY_LIMIT_BYTES is a 413 with the error shape, on JSON and CSV routes alike", async () => {
    const big = "x".repeat(BODY_LIMIT + 1);
    const cases = [
      { url: OPS, type: "application/json", payload: JSON.stringify({ data: big }) },
      { url: DEVICES, type: "application/json", payload: JSON.stringify([{ hostname: big }]) },
      {
        url: `${DEVICES}import`,
        type: "text/csv",
        payload: `organization_id,hostname,device_type\n101,${big},router`,
      },
      { url: OPS, type: "application/x-www-form-urlencoded", payload: `data=${big}` },
    ];
    for (const c of cases) {
      const res = await h.app.inject({
        method: "POST",
        url: c.url,
        headers: { authorization: auth, "content-type": c.type },
        payload: c.payload,
      });
      expect(res.statusCode, `${c.url} ${c.type}`).toBe(413);
      expect(res.json().detail).toBe("The request body is too large.");
      expectErrorShape(res.body);
    }
    expect(Number((await h.db.pool.query("SELECT count(*) FROM devices")).rows[0].count)).toBe(0);
  });

  it("page_size is clamped to 200; a page past the end is 404; page 0 or negative sizes are 422", async () => {
    const batch = Array.from({ length: 250 }, () => device(101));
    const created = await h.app.inject({
      method: "POST",
      url: DEVICES,
      headers: { authorization: auth },
      payload: batch,
    });
    expect(created.statusCode).toBe(201);
    const page = await h.app.inject({
      method: "GET",
      url: `${DEVICES}?page_size=100000`,
      headers: { authorization: auth },
    });
    expect(page.statusCode).toBe(200);
    expect(page.json().results).toHaveLength(MAX_PAGE_SIZE);
    expect(page.json().count).toBe(250);
    expect(page.json().next).toContain("page=2");
    for (const url of [
      `${DEVICES}?page=0`,
      `${DEVICES}?page_size=0`,
      `${OPS}?page_size=-5`,
      `${DEVICES}?page=1e300`,
    ]) {
      const res = await h.app.inject({ method: "GET", url, headers: { authorization: auth } });
      expect(res.statusCode, url).toBe(422);
      expectErrorShape(res.body);
    }
    const past = await h.app.inject({
      method: "GET",
      url: `${DEVICES}?page=99`,
      headers: { authorization: auth },
    });
    expect(past.statusCode).toBe(404);
    expectErrorShape(past.body);
  });

  it("a device batch holds at most 10,000 items; an empty batch is refused too", async () => {
    const { auth: other } = await h.token([103]);
    for (const payload of [[], Array.from({ length: DEVICE_BATCH_MAX + 1 }, () => ({}))]) {
      const res = await h.app.inject({
        method: "POST",
        url: DEVICES,
        headers: { authorization: other },
        payload,
      });
      expect(res.statusCode).toBe(422);
      expect(res.json().errors).toEqual([
        { path: "(body)", message: `a batch holds 1 to ${DEVICE_BATCH_MAX} devices` },
      ]);
    }
  });

  it("past RATE_LIMIT_MAX a token gets 429 with Retry-After and the error shape; other tokens are unaffected", async () => {
    const { auth: busy } = await h.token([103]);
    const { auth: quiet } = await h.token([103]);
    const statuses: number[] = [];
    let limited: Awaited<ReturnType<typeof h.app.inject>> | undefined;
    for (let i = 0; i < RATE_MAX + 5; i += 1) {
      const res = await h.app.inject({ method: "GET", url: OPS, headers: { authorization: busy } });
      statuses.push(res.statusCode);
      if (res.statusCode === 429) limited ??= res;
    }
    expect(statuses.slice(0, RATE_MAX).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(RATE_MAX)).toEqual([429, 429, 429, 429, 429]);
    const retryAfter = Number(limited?.headers["retry-after"]);
    expect(retryAfter).toBeGreaterThan(0);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect(limited?.json().detail).toMatch(/^Rate limit exceeded/);
    expectErrorShape(limited?.body ?? "");
    // Writes by the limited token are refused before they do anything.
    const post = await h.app.inject({
      method: "POST",
      url: OPS,
      headers: { authorization: busy },
      payload: referenceBody([103]),
    });
    expect(post.statusCode).toBe(429);
    expect(Number((await h.db.pool.query("SELECT count(*) FROM operations")).rows[0].count)).toBe(0);
    const other = await h.app.inject({ method: "GET", url: OPS, headers: { authorization: quiet } });
    expect(other.statusCode).toBe(200);
    // Health endpoints are never limited (probes must keep working).
    expect((await h.app.inject({ method: "GET", url: "/healthz" })).statusCode).toBe(200);
  });

  it("unauthenticated requests are limited by client address, before any token lookup", async () => {
    const from = (ip: string, forwardedFor?: string) =>
      h.app.inject({
        method: "GET",
        url: DEVICES,
        remoteAddress: ip,
        headers: forwardedFor ? { "x-forwarded-for": forwardedFor } : {},
      });
    // A client on the internet cannot escape its bucket by claiming another address in X-Forwarded-For.
    const statuses: number[] = [];
    for (let i = 0; i < RATE_MAX + 2; i += 1)
      statuses.push((await from("198.51.100.7", `192.0.2.${i}`)).statusCode);
    expect(statuses.slice(0, RATE_MAX).every((s) => s === 401)).toBe(true);
    expect(statuses.slice(RATE_MAX)).toEqual([429, 429]);
    expect((await from("198.51.100.8")).statusCode).toBe(401);
    // Behind a proxy on a private network (an ingress), the forwarded client address is the bucket.
    for (let i = 0; i < RATE_MAX; i += 1) await from("10.0.0.5", "203.0.113.77");
    expect((await from("10.0.0.5", "203.0.113.77")).statusCode).toBe(429);
    expect((await from("10.0.0.5", "203.0.113.78")).statusCode).toBe(401);
  });

  it("made-up tokens are limited by address too: rotating them does not buy unlimited token lookups", async () => {
    const withToken = (ip: string, i: number) =>
      h.app.inject({
        method: "GET",
        url: OPS,
        remoteAddress: ip,
        headers: { authorization: `Bearer hops_made-up-${i}` },
      });
    const statuses: number[] = [];
    for (let i = 0; i <= RATE_MAX; i += 1) statuses.push((await withToken("198.51.100.30", i)).statusCode);
    expect(statuses.every((s) => s === 401)).toBe(true);
    const limited = await withToken("198.51.100.30", 999);
    expect(limited.statusCode).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expectErrorShape(limited.body);
    expect((await withToken("198.51.100.31", 0)).statusCode).toBe(401);
  });
});
