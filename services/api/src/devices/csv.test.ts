import { Readable } from "node:stream";
import { buildFleet, inventoryCsv } from "@headless-ops/device-sim";
import { describe, expect, it } from "vitest";
import { HttpError } from "../errors.js";
import { readDeviceCsv } from "./csv.js";

const parseDeviceCsv = (text: string, maxRows: number) => readDeviceCsv(Readable.from([text]), maxRows);

async function statusOf(fn: () => Promise<unknown>): Promise<number | undefined> {
  try {
    await fn();
  } catch (err) {
    return err instanceof HttpError ? err.statusCode : -1;
  }
  return undefined;
}

describe("readDeviceCsv", async () => {
  it("maps rows to device objects with their line numbers", async () => {
    const csv = [
      "organization_id,hostname,device_type,mgmt_address,driver,snmp_version,community,mgmt_port",
      "101,r1,router,10.0.0.1,snmp,v2c,public,161",
      "",
      "102,s1,switch,,,,,",
    ].join("\n");
    expect(await parseDeviceCsv(csv, 10)).toEqual([
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

  it("rejects unknown or missing columns with 422 and broken CSV with 400", async () => {
    expect(await statusOf(() => parseDeviceCsv("organization_id,hostname,colour\n1,a,red", 10))).toBe(422);
    expect(
      await statusOf(() => parseDeviceCsv('organization_id,hostname,device_type\n1,"a,router', 10)),
    ).toBe(400);
    expect(await statusOf(() => parseDeviceCsv("", 10))).toBe(400);
  });

  it("never echoes a cell in a parse error: a cell may be a credential", async () => {
    const secret = "s3cret-community";
    for (const csv of [
      `organization_id,hostname,device_type,snmp_version,community\n101,r1,router,v2c,${secret}"x\n`,
      `organization_id,hostname,device_type,snmp_version,community\n101,r1,router,v2c,"${secret}"x\n`,
      `organization_id,hostname,device_type,snmp_version,community\n101,r1,router,v2c,"${secret}\n`,
    ]) {
      let thrown: unknown;
      try {
        await parseDeviceCsv(csv, 10);
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

  it("enforces the row limit", async () => {
    const csv = "organization_id,hostname,device_type\n1,a,router\n1,b,router";
    expect(await statusOf(() => parseDeviceCsv(csv, 1))).toBe(422);
  });
});

describe("readDeviceCsv as a stream", () => {
  /** A CSV body that counts how many of its chunks were read. */
  function counted(first: string, rest: string, chunks: number) {
    const read = { chunks: 0 };
    const stream = Readable.from(
      (function* () {
        read.chunks += 1;
        yield first;
        for (let i = 0; i < chunks; i += 1) {
          read.chunks += 1;
          yield rest;
        }
      })(),
    );
    return { stream, read };
  }

  it("refuses a bad header without reading the rest of the body", async () => {
    const row = "x\n".repeat(8_192);
    const { stream, read } = counted("hostname\n", row, 1_000);
    await expect(readDeviceCsv(stream, 100_000)).rejects.toMatchObject({
      statusCode: 422,
      errors: [
        { path: "header.organization_id", message: "required column missing" },
        { path: "header.device_type", message: "required column missing" },
      ],
    });
    expect(read.chunks).toBeLessThan(10);
  });

  it("stops at the first row past the limit, naming its line", async () => {
    const rows = Array.from({ length: 100 }, (_, i) => `101,h${i},router\n`).join("");
    const { stream, read } = counted("organization_id,hostname,device_type\n", rows, 1_000);
    await expect(readDeviceCsv(stream, 150)).rejects.toMatchObject({
      statusCode: 422,
      errors: [{ path: "line 152", message: "at most 150 rows per import" }],
    });
    // Read-ahead is bounded by the stream buffers (a few chunks), not by the body.
    expect(read.chunks).toBeLessThan(50);
  });

  it("refuses a record longer than a real row could be, and a NUL in a cell, by line", async () => {
    const long = `organization_id,hostname,device_type\n101,${"h".repeat(20_000)},router\n`;
    await expect(readDeviceCsv(Readable.from([long]), 10)).rejects.toMatchObject({ statusCode: 400 });
    const nul = "organization_id,hostname,device_type\n101,a,router\n101,b\u0000,router\n";
    await expect(readDeviceCsv(Readable.from([nul]), 10)).rejects.toMatchObject({
      statusCode: 422,
      errors: [{ path: "line 3", message: "must not contain NUL (\\u0000) characters" }],
    });
  });

  it("imports the simulator's inventory export as it is, v3 credentials included", async () => {
    const fleet = buildFleet({ devices: 40, organizations: [101], seed: 7, v3Share: 0.5 });
    const rows = await parseDeviceCsv(inventoryCsv(fleet), 100);
    expect(rows).toHaveLength(fleet.length);
    const v3 = fleet.findIndex((d) => d.inventoryAccess.version === "v3");
    expect(v3).toBeGreaterThanOrEqual(0);
    expect(rows[v3]?.device.credentials).toMatchObject({ version: "v3", user: expect.any(String) });
  });
});
