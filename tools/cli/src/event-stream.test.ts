import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { operationEvents, type StreamEvent } from "./event-stream.js";

const op = (processed: number, status = "in_progress") => ({
  id: "9",
  status,
  progress: processed,
  total_devices: 100,
  processed_devices: processed,
  failed_devices: 0,
  devices_per_second: 50,
  estimated_completion: null,
});

let server: Server | undefined;
afterEach(() => new Promise<void>((r) => (server ? server.close(() => r()) : r())));

/** A loopback SSE server: the first connection drops after one event, the second finishes. */
async function flakyServer(requests: IncomingHttpHeaders[]): Promise<string> {
  server = createServer((req, res) => {
    requests.push(req.headers);
    res.writeHead(200, { "content-type": "text/event-stream" });
    if (requests.length === 1) {
      // Drop the connection once the first event has gone out, as a proxy timing out would.
      res.write(`retry: 10\nid: e-1\nevent: snapshot\ndata: ${JSON.stringify(op(10))}\n\n`, () =>
        setTimeout(() => res.destroy(), 50),
      );
      return;
    }
    res.write(`: heartbeat\n\nid: e-2\nevent: snapshot\ndata: ${JSON.stringify(op(60))}\n\n`);
    res.write(`id: e-3\nevent: finished\ndata: ${JSON.stringify(op(100, "completed"))}\n\n`);
    res.end();
  });
  await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe("operation event stream", () => {
  it("reconnects after a dropped connection with Last-Event-ID and ends at finished", async () => {
    const requests: IncomingHttpHeaders[] = [];
    const baseUrl = await flakyServer(requests);
    const reconnects: number[] = [];
    const events: StreamEvent[] = [];
    for await (const e of operationEvents({
      baseUrl,
      token: "t",
      operationId: "9",
      onReconnect: (n) => reconnects.push(n),
    })) {
      events.push(e);
    }
    expect(events.map((e) => [e.type, e.operation.processed_devices])).toEqual([
      ["snapshot", 10],
      ["snapshot", 60],
      ["finished", 100],
    ]);
    expect(reconnects).toEqual([1]);
    expect(requests[0]?.authorization).toBe("Bearer t");
    expect(requests[0]?.["last-event-id"]).toBeUndefined();
    expect(requests[1]?.["last-event-id"]).toBe("e-1");
  });

  it("stops at a 404 with the API's error, without retrying", async () => {
    let hits = 0;
    server = createServer((_req, res) => {
      hits++;
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ detail: "Operation not found.", errors: [] }));
    });
    await new Promise<void>((r) => server?.listen(0, "127.0.0.1", r));
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const run = async () => {
      for await (const _ of operationEvents({ baseUrl, token: "t", operationId: "1" })) {
        // no events expected
      }
    };
    await expect(run()).rejects.toThrow("HTTP 404: Operation not found.");
    expect(hits).toBe(1);
  });
});
