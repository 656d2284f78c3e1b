import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "../../../../services/api/test/harness.js";
import { demoApiClient } from "./api-client.js";
import { seedBaseline, seedSchedule } from "./seed-compliance.js";

/* The demo's baseline and schedule through the typed client, against a real listening API (the API
 * test harness: its own database, every response checked against the OpenAPI document). */

let h: Harness;
let baseUrl: string;
let secret: string;

beforeAll(async () => {
  h = await startHarness();
  await h.app.listen({ host: "127.0.0.1", port: 0 });
  baseUrl = `http://127.0.0.1:${(h.app.server.address() as AddressInfo).port}`;
  secret = (await h.token([101, 102], "admin")).auth.replace(/^Bearer /, "");
});
afterAll(() => h?.close());

describe("seedBaseline and seedSchedule", () => {
  it("create the baseline and the nightly schedule once; a second run finds them", async () => {
    const api = demoApiClient(baseUrl, secret);
    const baseline = await seedBaseline(api, 101);
    expect(baseline).toMatchObject({
      outcome: "created",
      organization_id: 101,
      vendor: "Cisco",
      model_pattern: "C9300-*",
      min_firmware: "17.12.3",
    });
    const schedule = await seedSchedule(api, [101]);
    expect(schedule).toMatchObject({
      outcome: "created",
      operation_type: "compliance_report",
      cron: "0 2 * * *",
      timezone: "Europe/Zurich",
      enabled: true,
      target_organizations: [101],
    });
    expect(schedule.next_runs).toHaveLength(5);

    expect(await seedBaseline(api, 101)).toMatchObject({ outcome: "exists", id: baseline.id });
    expect(await seedSchedule(api, [101])).toMatchObject({ outcome: "exists", id: schedule.id });
    // Another organization's baseline is another baseline.
    expect((await seedBaseline(api, 102)).outcome).toBe("created");
    const count = async (path: string) =>
      (
        await h.app.inject({ method: "GET", url: path, headers: { authorization: `Bearer ${secret}` } })
      ).json().count as number;
    expect(await count("/api/v1/compliance/baselines/")).toBe(2);
    expect(await count("/api/v1/schedules/")).toBe(1);
  });
});
