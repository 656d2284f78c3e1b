import { Gauge, type Registry } from "prom-client";
import type { Queryable } from "../queryable.js";

/**
 * `operations_by_status{status}`: operations in the database by status, counted at scrape time.
 * The one definition; each service that exports it registers it on its own registry (the
 * `service` label tells them apart). A failed count leaves the last values rather than failing
 * the whole scrape.
 */
export function registerOperationsByStatus(registry: Registry, pool: Queryable): void {
  new Gauge({
    name: "operations_by_status",
    help: "Operations in the database by status",
    labelNames: ["status"] as const,
    registers: [registry],
    async collect() {
      const res = await pool
        .query<{ status: string; n: number }>(
          "SELECT status, count(*)::int AS n FROM operations GROUP BY status",
        )
        .catch(() => undefined);
      if (!res) return;
      this.reset();
      for (const row of res.rows) this.set({ status: row.status }, row.n);
    },
  });
}
