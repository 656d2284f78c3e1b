import { Readable } from "node:stream";
import { DEVICE_BATCH_MAX, DEVICE_IMPORT_MAX, ErrorBody } from "@headless-ops/contracts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROUTE_BODY_BYTES } from "../src/body-limits.js";
import { DEVICES, device, type Harness, OPS, referenceBody, startHarness } from "./harness.js";

/*
 * One request must not exhaust the API: with the default configuration (BODY_LIMIT_BYTES 16 MiB),
 * each route refuses what it could never accept at its own size, the CSV import stops reading at
 * its first bad header or row past the limit, and batch counts are checked before any item is.
 * The memory and event-loop figures are measured by `npm run bench:hostile-input`.
 */

let h: Harness;
let auth: string;

beforeAll(async () => {
  h = await startHarness();
  auth = (await h.token([101, 102])).auth;
});
afterAll(() => h?.close());

const expectErrorShape = (body: string) =>
  expect(ErrorBody.safeParse(JSON.parse(body)).error).toBeUndefined();

async function nothingWritten(): Promise<void> {
  const res = await h.db.pool.query(
    "SELECT (SELECT count(*) FROM devices)::int AS devices, (SELECT count(*) FROM operations)::int AS ops",
  );
  expect(res.rows[0]).toEqual({ devices: 0, ops: 0 });
}

/** A body produced on demand, counting how many of its chunks the API pulled. */
function countedBody(first: string, chunk: (i: number) => string, chunks: number) {
  const read = { chunks: 0 };
  const stream = Readable.from(
    (function* () {
      read.chunks += 1;
      yield first;
      for (let i = 0; i < chunks; i += 1) {
        read.chunks += 1;
        yield chunk(i);
      }
    })(),
  );
  return { stream, read };
}

const importCsv = (payload: Readable | string) =>
  h.app.inject({
    method: "POST",
    url: `${DEVICES}import`,
    headers: { authorization: auth, "content-type": "text/csv" },
    payload,
  });

describe("hostile bodies", () => {
  it("a CSV with a bad header is refused without reading the rest of it", async () => {
    const { stream, read } = countedBody("hostname\n", () => "x\n".repeat(8_192), 100);
    const res = await importCsv(stream);
    expect(res.statusCode).toBe(422);
    expectErrorShape(res.body);
    expect(res.json().detail).toBe("Invalid CSV header.");
    // Stream buffers read a little ahead of the parser (more on a loaded machine): far from all 101.
    expect(read.chunks, "chunks of the body read").toBeLessThan(40);
    await nothingWritten();
  });

  it("a CSV with more rows than the import limit stops at the first row past it", async () => {
    const rowsPerChunk = 1_000;
    const chunks = (DEVICE_IMPORT_MAX / rowsPerChunk) * 1.5;
    const { stream, read } = countedBody(
      "organization_id,hostname,device_type\n",
      (c) => Array.from({ length: rowsPerChunk }, (_, i) => `101,h-${c}-${i},router\n`).join(""),
      chunks,
    );
    const res = await importCsv(stream);
    expect(res.statusCode).toBe(422);
    expectErrorShape(res.body);
    expect(res.json().errors).toEqual([
      { path: `line ${DEVICE_IMPORT_MAX + 2}`, message: `at most ${DEVICE_IMPORT_MAX} rows per import` },
    ]);
    expect(read.chunks).toBeLessThan(DEVICE_IMPORT_MAX / rowsPerChunk + 20);
    await nothingWritten();
  });

  it("a CSV past the import's byte limit is a 413 while it streams (no Content-Length to trust)", async () => {
    const model = "m".repeat(200);
    const rowsPerChunk = 1_000;
    const { stream, read } = countedBody(
      "organization_id,hostname,device_type,model\n",
      (c) => Array.from({ length: rowsPerChunk }, (_, i) => `101,h-${c}-${i},router,${model}\n`).join(""),
      (DEVICE_IMPORT_MAX / rowsPerChunk) * 1.5,
    );
    const res = await importCsv(stream);
    expect(res.statusCode).toBe(413);
    expect(res.json().detail).toBe("The request body is too large.");
    expect(read.chunks * rowsPerChunk * 220).toBeLessThan(ROUTE_BODY_BYTES.deviceImport * 1.1);
    await nothingWritten();
  });

  it("an operation POST takes kilobytes: a larger JSON, `data` string or form field is a 413", async () => {
    const big = "x".repeat(ROUTE_BODY_BYTES.operation + 1);
    for (const [type, payload] of [
      ["application/json", JSON.stringify({ ...referenceBody([101]), padding: big })],
      ["application/json", JSON.stringify({ data: big })],
      ["application/x-www-form-urlencoded", `data=${big}`],
    ] as const) {
      const res = await h.app.inject({
        method: "POST",
        url: OPS,
        headers: { authorization: auth, "content-type": type },
        payload,
      });
      expect(res.statusCode, type).toBe(413);
      expectErrorShape(res.body);
    }
    await nothingWritten();
  });

  it("a device batch's count is checked before its items are scanned", async () => {
    // Each item carries a NUL: the deep scan would name the first one; the count must win.
    const items = Array.from({ length: DEVICE_BATCH_MAX + 1 }, () => ({ hostname: "a\u0000" }));
    const res = await h.app.inject({
      method: "POST",
      url: DEVICES,
      headers: { authorization: auth },
      payload: items,
    });
    expect(res.statusCode).toBe(422);
    expect(res.json().errors).toEqual([
      { path: "(body)", message: `a batch holds 1 to ${DEVICE_BATCH_MAX} devices` },
    ]);
    await nothingWritten();
  });

  it("a device batch larger than 10,000 devices could need is a 413; a PATCH takes one device", async () => {
    const zeros = `[${"0,".repeat(ROUTE_BODY_BYTES.deviceBatch / 2)}0]`;
    const batch = await h.app.inject({
      method: "POST",
      url: DEVICES,
      headers: { authorization: auth, "content-type": "application/json" },
      payload: zeros,
    });
    expect(batch.statusCode).toBe(413);
    expectErrorShape(batch.body);
    const patch = await h.app.inject({
      method: "PATCH",
      url: `${DEVICES}1`,
      headers: { authorization: auth },
      payload: device(101, { model: "m".repeat(ROUTE_BODY_BYTES.devicePatch) }),
    });
    expect(patch.statusCode).toBe(413);
    await nothingWritten();
  });
});
