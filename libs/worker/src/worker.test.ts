import { describe, expect, it } from "vitest";
import { stopOnce } from "./worker.js";

describe("stopOnce", () => {
  it("runs the stop once; a second call, even during the first, gets the same promise", async () => {
    let runs = 0;
    let finish: () => void = () => undefined;
    const stop = stopOnce(() => {
      runs += 1;
      return new Promise<void>((resolve) => {
        finish = resolve;
      });
    });
    const first = stop();
    const second = stop();
    expect(second).toBe(first);
    await Promise.resolve();
    finish();
    await first;
    expect(stop()).toBe(first);
    expect(runs).toBe(1);
  });

  it("keeps a failed stop failed instead of running it again", async () => {
    let runs = 0;
    const stop = stopOnce(async () => {
      runs += 1;
      throw new Error("drain failed");
    });
    await expect(stop()).rejects.toThrow("drain failed");
    await expect(stop()).rejects.toThrow("drain failed");
    expect(runs).toBe(1);
  });
});
