import { describe, expect, it } from "vitest";
import { DeadlineSlices } from "./deadlines.js";

describe("DeadlineSlices", () => {
  it("fires uncancelled deadlines (aborting their signal) and never fires cancelled ones", async () => {
    const deadlines = new DeadlineSlices(5);
    const fired: string[] = [];
    const a = deadlines.after(20, () => fired.push("a"));
    const b = deadlines.after(20, () => fired.push("b"));
    b.cancel();
    await new Promise((r) => setTimeout(r, 60));
    expect(fired).toEqual(["a"]);
    expect(a.signal.aborted).toBe(true);
    const c = deadlines.after(60_000, () => fired.push("c"));
    deadlines.expireAll();
    expect(fired).toEqual(["a", "c"]);
    expect(c.signal.aborted).toBe(true);
  });
});
