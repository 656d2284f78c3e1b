import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../../services/api/test/harness.js";
import { demoApiClient } from "./api-client.js";
import { seedDevices } from "./seed-devices.js";

/* The demo's seeding through the typed client, against a real listening API (the API test harness:
 * its own database, every response checked against the OpenAPI document). */

let h: Harness;
let baseUrl: string;
let secret: string;

const csv = ["organization_id,hostname,device_type", "101,demo-rtr-1,router", "102,demo-sw-1,switch"].join(
  "\n",
);

beforeAll(async () => {
  h = await startHarness();
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  secret = (await h.token([101, 102], "admin")).auth.replace(/^Bearer /, "");
});
afterAll(() => h?.close());

describe("seedDevices", () => {
  it("imports the CSV once; a second run finds the devices and imports nothing", async () => {
    const api = demoApiClient(baseUrl, secret);
    expect(await seedDevices(api, csv, [101, 102])).toEqual({ created: 2 });
    expect(await seedDevices(api, csv, [101, 102])).toEqual({ created: 0 });
    const listed = await h.app.inject({
      method: "GET",
      url: "/api/v1/devices/",
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(
      listed
        .json()
        .results.map((d: { hostname: string }) => d.hostname)
        .sort(),
    ).toEqual(["demo-rtr-1", "demo-sw-1"]);
  });

  it("fails with the request, the status and the API's field errors", async () => {
    const api = demoApiClient(baseUrl, secret);
    const bad = "organization_id,hostname,device_type\n103,x,toaster\n";
    await expect(seedDevices(api, bad, [103])).rejects.toThrow(
      /^POST \/api\/v1\/devices\/import answered 422: .*line 2\.device_type/,
    );
    await expect(seedDevices(demoApiClient(baseUrl, "hops_nope"), csv, [101])).rejects.toThrow(
      /^GET \/api\/v1\/devices\/ answered 401: /,
    );
  });
});
