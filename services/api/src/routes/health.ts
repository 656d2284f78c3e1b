import { type HealthCheck, runChecks } from "@headless-ops/runtime";
import type { FastifyInstance } from "fastify";
import type pg from "pg";
import type { AppContext } from "../context.js";

/** What /readyz checks, on the public port and on the METRICS_PORT ops server alike. */
export function readinessChecks(pool: pg.Pool, nats: AppContext["nats"]): HealthCheck[] {
  return [
    { name: "postgres", check: () => pool.query("SELECT 1") },
    {
      name: "nats",
      check: async () => {
        const nc = nats();
        if (!nc || nc.isClosed()) throw new Error("not connected");
        await nc.flush();
      },
    },
  ];
}

/**
 * `/healthz` (process alive) and `/readyz` (Postgres and NATS reachable, else 503). `/metrics` is not
 * here: it shows every tenant's operation counts, so it is served on METRICS_PORT (main.ts), which
 * only the monitoring namespace may reach.
 */
export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const hide = { hide: true };
  app.get("/healthz", { schema: hide }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: hide }, async (_req, reply) => {
    const report = await runChecks(readinessChecks(ctx.pool, ctx.nats));
    return reply.code(report.ok ? 200 : 503).send(report);
  });
}
