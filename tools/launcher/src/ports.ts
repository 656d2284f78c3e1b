import { freePort } from "@headless-ops/runtime";

export { freePort };

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
