import { once } from "node:events";
import http from "node:http";
import type { AddressInfo } from "node:net";

export type Received = { path: string; headers: http.IncomingHttpHeaders; body: string; at: number };
/** What the receiver does for a request on a path: answer a status, or never answer. */
export type Behaviour = (nth: number) => number | "hang";

/** A webhook receiver on loopback that records every request and answers per path. */
export async function startReceiver(behaviours: Record<string, Behaviour> = {}, delayMs = 0) {
  const received: Received[] = [];
  const counts = new Map<string, number>();
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const path = req.url ?? "/";
      const nth = (counts.get(path) ?? 0) + 1;
      counts.set(path, nth);
      received.push({
        path,
        headers: req.headers,
        body: Buffer.concat(chunks).toString("utf8"),
        at: Date.now(),
      });
      const answer = (behaviours[path] ?? (() => 200))(nth);
      if (answer === "hang") hanging.add(res);
      else if (delayMs > 0) setTimeout(() => res.writeHead(answer).end(), delayMs);
      else res.writeHead(answer).end();
    });
  });
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const port = (server.address() as AddressInfo).port;
  return {
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    port,
    on: (path: string) => received.filter((r) => r.path === path),
    close: async () => {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      server.close();
      await once(server, "close").catch(() => undefined);
    },
  };
}
