import { runChecks } from "@headless-ops/runtime";
import type { FastifyInstance } from "fastify";
import type { AppContext } from "../context.js";

/** `/healthz` (process alive), `/readyz` (Postgres and NATS reachable, else 503), `/metrics` (Prometheus). */
export function healthRoutes(app: FastifyInstance, ctx: AppContext): void {
  const hide = { hide: true };
  app.get("/healthz", { schema: hide }, async () => ({ status: "ok" }));

  app.get("/readyz", { schema: hide }, async (_req, reply) => {
    const report = await runChecks([
      { name: "postgres", check: () => ctx.pool.query("SELECT 1") },
      {
        name: "nats",
        check: async () => {
          const nc = ctx.nats();
          if (!nc || nc.isClosed()) throw new Error("not connected");
          await nc.flush();
        },
      },
    ]);
    return reply.code(report.ok ? 200 : 503).send(report);
  });

  app.get("/metrics", { schema: hide }, async (_req, reply) => {
    const text = await ctx.metrics.registry.metrics();
    return reply.type(ctx.metrics.registry.contentType).send(text);
  });
}
