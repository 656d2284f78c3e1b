import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { dashboardRoot } from "../src/dashboard/dashboard-routes.js";
import { type Harness, startHarness } from "./harness.js";

/*
 * The api serves the dashboard bundle (libs/dashboard/dist, made by `npm run build`) at /ui/ with a
 * strict Content-Security-Policy, and tells a client its token's role at GET /api/v1/me.
 */

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(async () => {
  await h?.close();
});

describe("the dashboard at /ui/", () => {
  it("is built (npm run build makes libs/dashboard/dist)", () => {
    expect(dashboardRoot()).toBeDefined();
  });

  it("serves index.html with a CSP that runs only this origin's scripts and allows no framing", async () => {
    const res = await h.app.inject({ method: "GET", url: "/ui/" });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^text\/html/);
    expect(res.body).toContain('<div id="app">');
    const csp = String(res.headers["content-security-policy"]);
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("connect-src 'self'");
    expect(csp).toContain("frame-ancestors 'none'");
    expect(csp).not.toContain("unsafe-inline");
    expect(res.headers["x-content-type-options"]).toBe("nosniff");
    expect(res.headers["referrer-policy"]).toBe("no-referrer");
    expect(res.headers["cache-control"]).toBe("no-cache");
    // No inline script: everything the page runs is a file the CSP allows.
    expect(res.body).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
  });

  it("serves the hashed assets for a year and answers 404 for a missing one", async () => {
    const index = await h.app.inject({ method: "GET", url: "/ui/" });
    const script = /src="(\/ui\/assets\/[^"]+\.js)"/.exec(index.body)?.[1];
    expect(script).toBeDefined();
    const res = await h.app.inject({ method: "GET", url: script as string });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/javascript/);
    expect(res.headers["cache-control"]).toContain("immutable");
    const missing = await h.app.inject({ method: "GET", url: "/ui/assets/nope.js" });
    expect(missing.statusCode).toBe(404);
    expect(missing.body).not.toMatch(/at .*\.js:\d+/);
  });

  it("needs no token for the bundle (the page asks for one), and leaves the API's own headers alone", async () => {
    const api = await h.app.inject({ method: "GET", url: "/api/v1/me" });
    expect(api.statusCode).toBe(401);
    expect(api.headers["content-security-policy"]).toBeUndefined();
  });
});

describe("GET /api/v1/me", () => {
  it("answers the token's role and organizations, for a viewer too", async () => {
    const viewer = await h.token([101, 102], "viewer");
    const res = await h.app.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { authorization: viewer.auth },
    });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ role: "viewer", organization_ids: [101, 102] });
    const admin = await h.token([103], "admin");
    const me = await h.app.inject({
      method: "GET",
      url: "/api/v1/me",
      headers: { authorization: admin.auth },
    });
    expect(me.json()).toEqual({ role: "admin", organization_ids: [103] });
  });

  it("never shows a secret", async () => {
    const op = await h.token([101]);
    const res = await h.app.inject({ method: "GET", url: "/api/v1/me", headers: { authorization: op.auth } });
    expect(res.body).not.toContain(op.auth.slice("Bearer ".length));
  });
});
