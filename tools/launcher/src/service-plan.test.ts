import { describe, expect, it } from "vitest";
import { planServices, workerCount } from "./service-plan.js";

describe("planServices", () => {
  it("runs api, scheduler, aggregator, notifier and N probers, each worker on its own metrics port", () => {
    const specs = planServices({
      root: "/repo",
      apiPort: 8080,
      apiMetricsPort: 9469,
      workerPorts: [9464, 9465, 9466, 9467, 9468],
      proberReplicas: 2,
    });
    expect(specs.map((s) => s.name)).toEqual([
      "api",
      "scheduler",
      "aggregator",
      "notifier",
      "prober-1",
      "prober-2",
    ]);
    expect(specs.map((s) => s.script)).toEqual([
      "/repo/services/api/dist/main.js",
      "/repo/services/scheduler/dist/main.js",
      "/repo/services/aggregator/dist/main.js",
      "/repo/services/notifier/dist/main.js",
      "/repo/services/prober/dist/main.js",
      "/repo/services/prober/dist/main.js",
    ]);
    expect(specs[0]?.env.PORT).toBe("8080");
    // The API's metrics are off its public port, on their own METRICS_PORT after the workers'.
    expect(specs[0]?.env.METRICS_PORT).toBe("9469");
    expect(specs.slice(1).map((s) => s.env.METRICS_PORT)).toEqual(["9464", "9465", "9466", "9467", "9468"]);
    expect(specs.map((s) => s.readyUrl)).toContain("http://127.0.0.1:9468/readyz");
    expect(specs.every((s) => s.env.LOG_PRETTY === "false")).toBe(true);
    expect(workerCount(2)).toBe(5);
  });

  it("refuses a plan with fewer ports than workers", () => {
    expect(() =>
      planServices({ root: "/r", apiPort: 1, apiMetricsPort: 5, workerPorts: [2, 3], proberReplicas: 1 }),
    ).toThrow(/need 4 worker ports/);
  });
});
