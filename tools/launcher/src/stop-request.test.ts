import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import { StopRequest } from "./stop-request.js";

const silent = pino({ level: "silent" });

describe("StopRequest", () => {
  // Remove only the handlers these tests add: the test runner may have its own.
  const before = { SIGINT: process.listeners("SIGINT"), SIGTERM: process.listeners("SIGTERM") };
  afterEach(() => {
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      for (const l of process.listeners(signal))
        if (!before[signal].includes(l)) process.removeListener(signal, l);
    }
    vi.useRealTimers();
  });

  it("keeps the first request's exit code and aborts its signal", async () => {
    const stop = new StopRequest();
    stop.request(1);
    stop.request(0);
    expect(stop.signal.aborted).toBe(true);
    expect(await stop.stopped).toBe(1);
  });

  it("stops cleanly on the first signal, ignores a repeat within a second, forces on a later one", async () => {
    vi.useFakeTimers({ now: 1_000_000 });
    const stop = new StopRequest();
    const force = vi.fn();
    stop.installSignalHandlers(silent, force as unknown as () => never);
    process.emit("SIGINT");
    process.emit("SIGINT"); // npm forwarding the terminal's Ctrl-C
    expect(await stop.stopped).toBe(0);
    expect(force).not.toHaveBeenCalled();
    vi.setSystemTime(1_000_000 + 1_500);
    process.emit("SIGTERM");
    expect(force).toHaveBeenCalledTimes(1);
  });
});
