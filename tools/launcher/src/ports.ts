import { createServer } from "node:net";

/** A currently free TCP port on loopback. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once("error", reject);
    srv.listen(0, "127.0.0.1", () => {
      const address = srv.address();
      const port = typeof address === "object" && address ? address.port : 0;
      srv.close(() => resolve(port));
    });
  });
}

/**
 * `count` ports from `base` upwards, or free ports when `base` is 0, so the launcher
 * always knows where each worker's /readyz is.
 */
export async function assignPorts(base: number, count: number): Promise<number[]> {
  if (base > 0) return Array.from({ length: count }, (_, i) => base + i);
  const ports: number[] = [];
  while (ports.length < count) {
    const port = await freePort();
    if (!ports.includes(port)) ports.push(port);
  }
  return ports;
}
