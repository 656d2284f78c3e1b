import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { collectDefaultMetrics, Registry } from "prom-client";

/** A readiness check: resolves when the dependency answers, rejects otherwise. */
export type HealthCheck = { name: string; check: () => Promise<unknown> };

export type CheckReport = { ok: boolean; checks: Record<string, "ok" | string> };

/** Runs every check with a timeout; never throws. */
export async function runChecks(checks: HealthCheck[], timeoutMs = 2_000): Promise<CheckReport> {
  const entries = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      try {
        await Promise.race([
          check(),
          new Promise((_, reject) => {
            timer = setTimeout(() => reject(new Error("timed out")), timeoutMs);
          }),
        ]);
        return [name, "ok"] as const;
      } catch (err) {
        return [name, err instanceof Error ? err.message : "failed"] as const;
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ok: entries.every(([, v]) => v === "ok"), checks: Object.fromEntries(entries) };
}

/** A metrics registry with the process defaults (RSS, event loop lag, GC) labelled by service. */
export function createMetricsRegistry(service: string): Registry {
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: registry });
  return registry;
}

/**
 * The worker services' small HTTP server: `/healthz` (process alive), `/readyz`
 * (dependencies reachable, 503 otherwise) and `/metrics` (Prometheus text).
 */
export async function startOpsServer(opts: {
  host: string;
  port: number;
  registry: Registry;
  checks: HealthCheck[];
}): Promise<{ server: Server; port: number; close: () => Promise<void> }> {
  const server = createServer((req, res) => {
    const path = (req.url ?? "/").split("?")[0];
    const send = (status: number, type: string, body: string) => {
      res.writeHead(status, { "content-type": type });
      res.end(body);
    };
    if (path === "/healthz") return send(200, "application/json", '{"status":"ok"}');
    if (path === "/readyz") {
      void runChecks(opts.checks).then((report) =>
        send(report.ok ? 200 : 503, "application/json", JSON.stringify(report)),
      );
      return;
    }
    if (path === "/metrics") {
      void opts.registry.metrics().then(
        (text) => send(200, opts.registry.contentType, text),
        () => send(500, "text/plain", "metrics unavailable"),
      );
      return;
    }
    send(404, "application/json", '{"detail":"Not found."}');
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  return {
    server,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
