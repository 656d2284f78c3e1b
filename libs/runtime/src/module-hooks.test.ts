import { execFileSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const hooks = new URL("./module-hooks.ts", import.meta.url).href;

/** Loads drizzle-orm as the services do, in a fresh Node, and reports what it got and its peak RSS. */
function loadDrizzle(withHooks: boolean): { keys: string[]; peakMb: number } {
  const script = `
    if (${withHooks}) (await import(${JSON.stringify(hooks)})).installModuleHooks();
    const mods = await Promise.all(["drizzle-orm", "drizzle-orm/node-postgres", "drizzle-orm/pg-core"].map((m) => import(m)));
    const { readFileSync } = await import("node:fs");
    const hwm = Number(readFileSync("/proc/self/status", "utf8").match(/VmHWM:\\s+(\\d+)/)[1]) / 1024;
    console.log(JSON.stringify({ keys: mods.flatMap((m, i) => Object.keys(m).map((k) => i + ":" + k)), peakMb: hwm }));`;
  const out = execFileSync(process.execPath, ["--input-type=module", "-e", script], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  return JSON.parse(out);
}

describe("module hooks", () => {
  it("load the same drizzle-orm modules without the start-up memory peak", () => {
    const plain = loadDrizzle(false);
    const hooked = loadDrizzle(true);
    expect(hooked.keys.length).toBeGreaterThan(100);
    expect(hooked.keys).toEqual(plain.keys);
    // A bare Node is ~45 MB; without the hooks Node 24.21 peaks near 290 MB loading these three.
    expect(hooked.peakMb, `peak RSS ${hooked.peakMb} MB with hooks, ${plain.peakMb} MB without`).toBeLessThan(
      120,
    );
  });
});
