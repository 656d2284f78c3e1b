import type pg from "pg";
import { describe, expect, it } from "vitest";
import { coalesceStatusHelpers } from "./status-coalescer.js";

const pool = {} as pg.Pool;

describe("coalesceStatusHelpers", () => {
  it("runs each operation's helpers at most once per interval, and again after it", async () => {
    let t = 0;
    const runs: string[][] = [];
    const helpers = coalesceStatusHelpers(
      async (_p, ids) => {
        runs.push([...ids]);
      },
      5_000,
      () => t,
    );
    await helpers(pool, ["1", "2"]);
    t = 4_999;
    await helpers(pool, ["2", "1", "3"]);
    t = 5_000;
    await helpers(pool, ["1"]);
    expect(runs).toEqual([["1", "2"], ["3"], ["1"]]);
  });

  it("makes a concurrent caller wait for the run in flight instead of starting another", async () => {
    let release: () => void = () => undefined;
    let calls = 0;
    const helpers = coalesceStatusHelpers(() => {
      calls += 1;
      return new Promise<void>((r) => {
        release = r;
      });
    }, 5_000);
    let secondDone = false;
    const first = helpers(pool, ["7"]);
    const second = helpers(pool, ["7"]).then(() => {
      secondDone = true;
    });
    await new Promise((r) => setTimeout(r, 10));
    expect(secondDone).toBe(false);
    release();
    await Promise.all([first, second]);
    expect(calls).toBe(1);
  });

  it("forgets a failed run, so the next caller retries it", async () => {
    let calls = 0;
    const helpers = coalesceStatusHelpers(async () => {
      calls += 1;
      if (calls === 1) throw new Error("ledger unavailable");
    }, 5_000);
    await expect(helpers(pool, ["9"])).rejects.toThrow("ledger unavailable");
    await helpers(pool, ["9"]);
    expect(calls).toBe(2);
  });
});
