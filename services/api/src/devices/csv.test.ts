import { buildFleet, inventoryCsv } from "@headless-ops/device-sim";
import { describe, expect, it } from "vitest";
import { HttpError } from "../errors.js";
import { parseDeviceCsv } from "./csv.js";

function statusOf(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof HttpError ? err.statusCode : -1;
  }
  return undefined;
}

describe("parseDeviceCsv", () => {
  it("maps rows to device objects with their line numbers", () => {
    const csv = [
      "organization_id,hostname,device_type,mgmt_address,driver,snmp_version,community,mgmt_port",
      "101,r1,router,10.0.0.1,snmp,v2c,public,161",
      "",
      "102,s1,switch,,,,,",
    ].join("\n");
    expect(parseDeviceCsv(csv, 10)).toEqual([
      {
        line: 2,
        device: {
          organization_id: 101,
          hostname: "r1",
          device_type: "router",
          mgmt_address: "10.0.0.1",
          mgmt_port: 161,
          driver: "snmp",
          credentials: { version: "v2c", community: "public" },
        },
      },
      { line: 4, device: { organization_id: 102, hostname: "s1", device_type: "switch" } },
    ]);
  });

  it("rejects unknown or missing columns with 422 and broken CSV with 400", () => {
    expect(statusOf(() => parseDeviceCsv("organization_id,hostname,colour\n1,a,red", 10))).toBe(422);
    expect(statusOf(() => parseDeviceCsv('organization_id,hostname,device_type\n1,"a,router', 10))).toBe(400);
    expect(statusOf(() => parseDeviceCsv("", 10))).toBe(400);
  });

  it("never echoes a cell in a parse error: a cell may be a credential", () => {
    const secret = "s3cret-community";
    for (const csv of [
      `organization_id,hostname,device_type,snmp_version,community\n101,r1,router,v2c,${secret}"x\n`,
      `organization_id,hostname,device_type,snmp_version,community\n101,r1,router,v2c,"${secret}"x\n`,
      `organization_id,hostname,device_type,snmp_version,community\n101,r1,router,v2c,"${secret}\n`,
    ]) {
      let thrown: unknown;
      try {
        parseDeviceCsv(csv, 10);
      } catch (err) {
        thrown = err;
      }
      expect(thrown).toBeInstanceOf(HttpError);
      expect((thrown as HttpError).statusCode).toBe(400);
      expect((thrown as HttpError).errors[0]?.path).toBe("line 2");
      expect(JSON.stringify(thrown)).not.toContain("s3cret");
      expect((thrown as HttpError).errors[0]?.message).not.toContain("s3cret");
    }
  });

  it("enforces the row limit", () => {
    const csv = "organization_id,hostname,device_type\n1,a,router\n1,b,router";
    expect(statusOf(() => parseDeviceCsv(csv, 1))).toBe(422);
  });

  it("imports the simulator's inventory export as it is, v3 credentials included", () => {
    const fleet = buildFleet({ devices: 40, organizations: [101], seed: 7, v3Share: 0.5 });
    const rows = parseDeviceCsv(inventoryCsv(fleet), 100);
    expect(rows).toHaveLength(fleet.length);
    const v3 = fleet.findIndex((d) => d.inventoryAccess.version === "v3");
    expect(v3).toBeGreaterThanOrEqual(0);
    expect(rows[v3]?.device.credentials).toMatchObject({ version: "v3", user: expect.any(String) });
  });
});
