import { randomUUID } from "node:crypto";
import formbody from "@fastify/formbody";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { JetStreamClient, NatsConnection } from "@headless-ops/bus";
import type { ErrorBody } from "@headless-ops/contracts";
import {
  type Config,
  type CredentialSealer,
  createAddressGuard,
  createCredentialSealerFromKeys,
  createWebhookAddressGuard,
  credentialKeysOf,
  type Logger,
} from "@headless-ops/runtime";
import Fastify, { type FastifyInstance, type FastifyReply } from "fastify";
import type pg from "pg";
import { installAuditTrail } from "./audit/audit-trail.js";
import { authenticate } from "./auth.js";
import { rejectOversizedBatch } from "./body-limits.js";
import { requireDocumentedContentType } from "./content-type-guard.js";
import type { AppContext } from "./context.js";
import { dashboardRoutes } from "./dashboard/dashboard-routes.js";
import { addressProblem } from "./devices/address-check.js";
import { installErrorHandling } from "./error-handler.js";
import { forbidden } from "./errors.js";
import { registerLiveMetrics } from "./events/live-metrics.js";
import { ProgressHub } from "./events/progress-hub.js";
import { rejectNulBytes } from "./input-guard.js";
import { installLingeringClose } from "./lingering-close.js";
import { type ApiMetrics, createApiMetrics } from "./metrics.js";
import { swaggerOptions } from "./openapi/swagger-options.js";
import { createStatusHelpers, type StatusHelpers } from "./operations/status-helpers.js";
import { installRateLimit } from "./rate-limit.js";
import type { OutboxRelay } from "./relay.js";
import { installRequestTracing } from "./request-tracing.js";
import { auditRoutes } from "./routes/audit.js";
import { complianceBaselineRoutes } from "./routes/compliance-baselines.js";
import { deviceImportRoutes } from "./routes/device-import.js";
import { deviceRoutes } from "./routes/devices.js";
import { healthRoutes } from "./routes/health.js";
import { meRoutes } from "./routes/me.js";
import { operationActionRoutes } from "./routes/operation-actions.js";
import { operationEventRoutes } from "./routes/operation-events.js";
import { operationReportRoutes } from "./routes/operation-report.js";
import { operationRoutes } from "./routes/operations.js";
import { organizationRoutes } from "./routes/organizations.js";
import { scheduleRoutes } from "./routes/schedules.js";
import { tokenRoutes } from "./routes/tokens.js";
import { webhookRoutes } from "./routes/webhooks.js";
import { coalesceStatusHelpers } from "./status-coalescer.js";
import { validatorCompiler } from "./validation.js";

export type BuildAppOptions = {
  config: Config;
  log: Logger;
  db: { pool: pg.Pool };
  /** NATS for /readyz; the relay publishes through `jetstream`. Both may come later (getters). */
  nats?: { connection: () => NatsConnection | undefined; jetstream: () => JetStreamClient | undefined };
  relay?: OutboxRelay;
  /** The metrics the app records into; main.ts serves their registry on METRICS_PORT. */
  metrics?: ApiMetrics;
  /** Replaces the status helpers (tests exercise their failure path with it). */
  statusHelpers?: StatusHelpers;
};

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sealerOf(config: Config, log: Logger): CredentialSealer | undefined {
  // Throws on a malformed key, and in production without a key or with a weak one: fail at start.
  const keys = credentialKeysOf(config);
  if (!keys) {
    log.warn("CREDENTIAL_KEY is not set: devices with SNMP credentials will be refused");
    return undefined;
  }
  return createCredentialSealerFromKeys(keys);
}

/** TRUST_PROXY as fastify takes it: a boolean, or a list of addresses, CIDRs and names. */
function trustProxyOf(value: string): boolean | string {
  return value === "true" || value === "false" ? value === "true" : value;
}

/** The address guard from config: a malformed network list fails the start, as the prober's does. */
function addressCheckOf(config: Config): (address: string) => string | undefined {
  const guard = createAddressGuard(config);
  return (address) => addressProblem(guard, config.ALLOW_LOOPBACK, address);
}

/** The API as a fastify instance: `main.ts` listens on it, tests call `app.inject()`. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config, log } = opts;
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: config.BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: trustProxyOf(config.TRUST_PROXY),
    // Unique across replicas and restarts: audit events and log lines are joined on it.
    genReqId: () => randomUUID(),
    // Router-level errors (bad URL encoding, an over-long path id) get the one error shape too.
    frameworkErrors: (err, _req, reply: FastifyReply) => {
      const tooLong = err.code === "FST_ERR_MAX_PARAM_LENGTH";
      const body: ErrorBody = { detail: tooLong ? "Not found." : "Malformed URL.", errors: [] };
      void reply.code(tooLong ? 404 : 400).send(body);
    },
  }) as unknown as FastifyInstance;
  const ctx: AppContext = {
    config,
    log,
    pool: opts.db.pool,
    sealer: sealerOf(config, log),
    addressProblem: addressCheckOf(config),
    webhookGuard: createWebhookAddressGuard(config),
    statusHelpers: coalesceStatusHelpers(
      opts.statusHelpers ??
        createStatusHelpers({ stuckAfterMs: config.STUCK_REQUEUE_AFTER_MS, natsPrefix: config.NATS_PREFIX }),
      config.STATUS_HELPERS_INTERVAL_MS,
    ),
    metrics: opts.metrics ?? createApiMetrics(opts.db.pool),
    nats: opts.nats?.connection ?? (() => undefined),
    jetstream: opts.nats?.jetstream ?? (() => undefined),
    relay: opts.relay,
    hub: new ProgressHub({
      pool: opts.db.pool,
      nats: opts.nats?.connection ?? (() => undefined),
      natsPrefix: config.NATS_PREFIX,
      pollMs: config.SSE_POLL_MS,
      log: log.child({ component: "live-progress" }),
    }),
  };
  registerLiveMetrics(ctx.metrics.registry, ctx.hub);
  // Before the server waits for open connections: SSE streams would hold the close forever.
  app.addHook("preClose", async () => ctx.hub.stop());

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandling(app);
  installLingeringClose(app);
  installRequestTracing(app);
  const limits = await installRateLimit(app, config);
  await app.register(formbody);
  await app.register(swagger, swaggerOptions(config));

  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    ctx.metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    ctx.metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  installAuditTrail(app, ctx.pool);
  healthRoutes(app, ctx);
  await app.register(async (api) => {
    // Rate limit, then authentication, before the body is read: a caller without a valid token learns
    // nothing else, and a flood is refused before it costs a token lookup.
    api.addHook("onRequest", async (req, reply) => {
      await limits.before(req, reply);
      req.principal = await authenticate(ctx.pool, req.headers.authorization).catch(async (err) => {
        if ((err as { statusCode?: number }).statusCode === 401) await limits.failedAuth(req);
        throw err;
      });
      if (!READ_METHODS.has(req.method) && req.principal.role === "viewer") {
        throw forbidden("This token is read-only (role viewer).");
      }
    });
    api.addHook("preParsing", requireDocumentedContentType);
    // Counts before contents: the batch size is known without walking the items.
    api.addHook("preValidation", rejectOversizedBatch);
    api.addHook("preValidation", rejectNulBytes);
    operationRoutes(api, ctx);
    operationActionRoutes(api, ctx);
    operationReportRoutes(api, ctx);
    complianceBaselineRoutes(api, ctx);
    operationEventRoutes(api, ctx);
    deviceRoutes(api, ctx);
    deviceImportRoutes(api, ctx);
    tokenRoutes(api, ctx);
    organizationRoutes(api, ctx);
    webhookRoutes(api, ctx);
    auditRoutes(api, ctx);
    meRoutes(api);
    scheduleRoutes(api, ctx);
  });
  await app.register(dashboardRoutes);
  await app.register(swaggerUi, { routePrefix: "/docs" });
  return app;
}
