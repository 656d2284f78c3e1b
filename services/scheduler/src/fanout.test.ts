import { describe, expect, it } from "vitest";
import { jobSlices } from "./fanout.js";

describe("jobSlices", () => {
  it("cuts a page into messages of at most batchSize devices", () => {
    const page = Array.from({ length: 10 }, () => "{}");
    expect(jobSlices(page, 4, 1_000_000)).toEqual([
      [0, 4],
      [4, 8],
      [8, 10],
    ]);
  });

  it("starts a new message early when the JSON would outgrow the byte cap", () => {
    const page = ["x".repeat(60), "x".repeat(60), "x".repeat(60), "y"];
    expect(jobSlices(page, 100, 130)).toEqual([
      [0, 2],
      [2, 4],
    ]);
    // A single oversized device still goes out, alone.
    expect(jobSlices(["z".repeat(500), "a"], 100, 130)).toEqual([
      [0, 1],
      [1, 2],
    ]);
  });
});
