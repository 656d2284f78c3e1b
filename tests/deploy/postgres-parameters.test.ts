import { describe, expect, it } from "vitest";
import { ofKind, render } from "./support/render.js";
import { withProvided } from "./support/workloads.js";

/*
 * The CloudNativePG server settings (deploy/k8s/database/prod/postgres-cluster.yaml): tuned for the
 * pipeline's write load, never at the price of durability — a result is acked only after its fold
 * committed durably, so a setting that can lose committed transactions would lose devices.
 */
describe("prod Postgres parameters", () => {
  const [cluster] = ofKind(withProvided("overlays/prod", render("overlays/prod")), "Cluster");
  const parameters: Record<string, string> = cluster?.spec.postgresql.parameters ?? {};

  it("keep every commit durable", () => {
    expect(parameters.max_connections, "the prod Cluster is rendered").toBeDefined();
    expect(parameters.synchronous_commit ?? "on").toBe("on");
    expect(parameters.fsync ?? "on").toBe("on");
    expect(parameters.full_page_writes ?? "on").toBe("on");
  });

  it("fit the pod: shared_buffers plus effective_cache_size stay within its memory limit", () => {
    const gb = (v: string | undefined) => Number(v?.replace(/GB$/, "") ?? Number.NaN);
    const limit = cluster?.spec.resources.limits.memory as string;
    expect(limit).toMatch(/^\d+Gi$/);
    expect(gb(parameters.shared_buffers) + gb(parameters.effective_cache_size)).toBeLessThanOrEqual(
      Number(limit.replace(/Gi$/, "")),
    );
    // Checkpoints by time on a 1M-device operation, and the WAL volume holds max_wal_size.
    expect(gb(parameters.max_wal_size)).toBeLessThanOrEqual(
      Number(String(cluster?.spec.walStorage.size).replace(/Gi$/, "")) / 2,
    );
  });
});
