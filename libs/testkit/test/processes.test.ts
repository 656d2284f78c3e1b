import { describe, expect, it } from "vitest";
import { ProcessGroup, startProcess } from "../src/processes.js";
import { freePort } from "../src/services.js";

/** A stand-in service: pino-like JSON lines, /readyz on PORT, SIGTERM → exit with EXIT_CODE. */
const fakeService = `
const http = require("node:http");
const log = (msg, extra) => console.log(JSON.stringify({ level: 30, msg, ...extra }));
const server = http.createServer((req, res) => res.end("ok")).listen(Number(process.env.PORT), "127.0.0.1", () => log("listening", { port: Number(process.env.PORT) }));
process.on("SIGTERM", () => { log("shutdown requested"); server.close(); process.exit(Number(process.env.EXIT_CODE ?? 0)); });
console.error("plain stderr line");
`;

const start = async (env: Record<string, string> = {}) => {
  const port = await freePort();
  return startProcess({
    name: "fake",
    script: "-e",
    args: [fakeService],
    env: { ...env, PORT: String(port) },
    port,
  });
};

describe("service processes", () => {
  it("waits for /readyz, captures stdout and stderr, and stops with SIGTERM asserting exit 0", async () => {
    const proc = await start();
    await proc.waitUntilReady();
    await proc.waitForLog((r) => r.msg === "listening");
    expect(proc.logs()).toContainEqual({ msg: "plain stderr line" });
    expect(await proc.stop()).toEqual({ code: 0, signal: null });
    expect(proc.running).toBe(false);
  });

  it("fails a stop whose exit code is not the expected one, showing the output", async () => {
    const proc = await start({ EXIT_CODE: "3" });
    await proc.waitUntilReady();
    await expect(proc.stop()).rejects.toThrow(/exited with .*"code":3.*shutdown requested/s);
  });

  it("kills with SIGKILL, and a group restarted under the same name hands out the new process", async () => {
    const group = new ProcessGroup();
    const first = group.add(await start());
    await first.waitUntilReady();
    expect(await first.kill()).toEqual({ code: null, signal: "SIGKILL" });
    const second = group.add(await start());
    await second.waitUntilReady();
    expect(group.get("fake")).toBe(second);
    await group.stopAll();
    expect(second.running).toBe(false);
  });

  it("reports a process that exits before it is ready, with its output", async () => {
    const proc = startProcess({
      name: "crash",
      script: "-e",
      args: ["console.error('boom'); process.exit(1)"],
      env: {},
      port: await freePort(),
    });
    await expect(proc.waitUntilReady()).rejects.toThrow(/crash exited .* before ready:\nboom/s);
  });
});
