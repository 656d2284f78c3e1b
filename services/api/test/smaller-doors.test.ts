import { createLogger } from "@headless-ops/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildApp } from "../src/app.js";
import type { StatusHelpers } from "../src/operations/status-helpers.js";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";

/*
 * Small doors of issue 10: pagination links a client cannot point elsewhere (PUBLIC_URL, else a
 * plausible Host only) and `update_status=true` that cannot be used to load the database.
 */

let h: Harness;
let auth: string;

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101])).auth;
  for (let i = 0; i < 3; i += 1) {
    const res = await h.app.inject({
      method: "POST",
      url: DEVICES,
      headers: { authorization: auth },
      payload: device(101),
    });
    expect(res.statusCode).toBe(201);
  }
});
afterAll(() => h?.close());

const list = (app = h.app, host?: string) =>
  app.inject({
    method: "GET",
    url: `${DEVICES}?page_size=1&page=2`,
    headers: { authorization: auth, ...(host === undefined ? {} : { host }) },
  });

describe("pagination links", () => {
  it("use PUBLIC_URL when it is set, whatever Host the request carries", async () => {
    const app = await buildApp({
      config: { ...h.config, PUBLIC_URL: "https://ops.example.net/" },
      log: createLogger("api-test", { LOG_LEVEL: "silent", LOG_PRETTY: false }),
      db: h.db,
    });
    try {
      for (const host of ["evil.example", "evil.example/phish?x=", "localhost:8080"]) {
        const res = await list(app, host);
        expect(res.statusCode, host).toBe(200);
        expect(res.json().next).toBe("https://ops.example.net/api/v1/devices/?page_size=1&page=3");
        expect(res.json().previous).toBe("https://ops.example.net/api/v1/devices/?page_size=1");
      }
    } finally {
      await app.close();
    }
  });

  it("without PUBLIC_URL, come from a plausible Host and refuse any other with 400", async () => {
    for (const host of ["api.example.net:8443", "10.0.0.5", "[2001:db8::1]:8080", "localhost"]) {
      const res = await list(h.app, host);
      expect(res.statusCode, host).toBe(200);
      expect(res.json().next).toBe(`http://${host}/api/v1/devices/?page_size=1&page=3`);
    }
    for (const host of ["evil.example/phish?", 'a"><script>', "user@evil.example", "-bad-.example", "a b"]) {
      const res = await list(h.app, host);
      expect(res.statusCode, host).toBe(400);
      expect(res.json()).toEqual({
        detail: "The Host header is not a valid host name.",
        errors: [{ path: "host", message: "not a host name" }],
      });
    }
  });
});

describe("update_status=true", () => {
  it("runs the status helpers of an operation at most once per interval, whoever asks", async () => {
    const runs: string[][] = [];
    const counting: StatusHelpers = async (_pool, ids) => {
      runs.push([...ids]);
    };
    const app = await buildApp({
      config: h.config,
      log: createLogger("api-test", { LOG_LEVEL: "silent", LOG_PRETTY: false }),
      db: h.db,
      statusHelpers: counting,
    });
    try {
      const viewer = (await h.token([101], "viewer")).auth;
      const created = await app.inject({
        method: "POST",
        url: OPS,
        headers: { authorization: auth },
        payload: referenceBody([101]),
      });
      const op = created.json().id as string;
      const asks = [auth, viewer, viewer, auth, viewer];
      const answers = await Promise.all(
        asks.map((who) =>
          app.inject({
            method: "GET",
            url: `${OPS}?id=${op}&update_status=true`,
            headers: { authorization: who },
          }),
        ),
      );
      for (const res of answers) expect(res.statusCode).toBe(200);
      for (let i = 0; i < 3; i += 1) {
        await app.inject({
          method: "GET",
          url: `${OPS}?update_status=true`,
          headers: { authorization: viewer },
        });
      }
      expect(runs).toEqual([[op]]);
      // Another operation is not held back by the first one's interval.
      const second = await app.inject({
        method: "POST",
        url: OPS,
        headers: { authorization: auth },
        payload: referenceBody([101]),
      });
      const other = second.json().id as string;
      await app.inject({
        method: "GET",
        url: `${OPS}?update_status=true`,
        headers: { authorization: viewer },
      });
      expect(runs).toEqual([[op], [other]]);
    } finally {
      await app.close();
    }
  });
});
