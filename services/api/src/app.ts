import formbody from "@fastify/formbody";
import swagger from "@fastify/swagger";
import swaggerUi from "@fastify/swagger-ui";
import type { JetStreamClient, NatsConnection } from "@headless-ops/bus";
import {
  type Config,
  type CredentialSealer,
  createCredentialSealer,
  type Logger,
} from "@headless-ops/runtime";
import Fastify, { type FastifyInstance } from "fastify";
import { jsonSchemaTransform, jsonSchemaTransformObject } from "fastify-type-provider-zod";
import type pg from "pg";
import { authenticate } from "./auth.js";
import type { AppContext } from "./context.js";
import { installErrorHandling } from "./error-handler.js";
import { forbidden } from "./errors.js";
import { createApiMetrics } from "./metrics.js";
import type { OutboxRelay } from "./relay.js";
import { deviceImportRoutes } from "./routes/device-import.js";
import { deviceRoutes } from "./routes/devices.js";
import { healthRoutes } from "./routes/health.js";
import { operationActionRoutes } from "./routes/operation-actions.js";
import { operationRoutes } from "./routes/operations.js";
import { createStatusHelpers, type StatusHelpers } from "./status-helpers.js";
import { validatorCompiler } from "./validation.js";

export type BuildAppOptions = {
  config: Config;
  log: Logger;
  db: { pool: pg.Pool };
  /** NATS for /readyz; the relay publishes through `jetstream`. Both may come later (getters). */
  nats?: { connection: () => NatsConnection | undefined; jetstream: () => JetStreamClient | undefined };
  relay?: OutboxRelay;
  /** Replaces the status helpers (tests exercise their failure path with it). */
  statusHelpers?: StatusHelpers;
};

const READ_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

function sealerOf(config: Config, log: Logger): CredentialSealer | undefined {
  if (!config.CREDENTIAL_KEY) {
    log.warn("CREDENTIAL_KEY is not set: devices with SNMP credentials will be refused");
    return undefined;
  }
  return createCredentialSealer(config.CREDENTIAL_KEY); // throws on a malformed key: fail at start
}

/** The API as a fastify instance: `main.ts` listens on it, tests call `app.inject()`. */
export async function buildApp(opts: BuildAppOptions): Promise<FastifyInstance> {
  const { config, log } = opts;
  const app = Fastify({
    loggerInstance: log,
    bodyLimit: config.BODY_LIMIT_BYTES,
    routerOptions: { ignoreTrailingSlash: true },
    trustProxy: true,
  }) as unknown as FastifyInstance;
  const ctx: AppContext = {
    config,
    log,
    pool: opts.db.pool,
    sealer: sealerOf(config, log),
    statusHelpers: opts.statusHelpers ?? createStatusHelpers({ stuckAfterMs: config.STUCK_REQUEUE_AFTER_MS }),
    metrics: createApiMetrics(opts.db.pool),
    nats: opts.nats?.connection ?? (() => undefined),
    jetstream: opts.nats?.jetstream ?? (() => undefined),
    relay: opts.relay,
  };

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  installErrorHandling(app);
  await app.register(formbody);
  await app.register(swagger, {
    openapi: {
      info: {
        title: "headless-ops API",
        description: "Inventory Device Serial Headless Operation API, device inventory, per-device results.",
        version: "1.0.0",
      },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
    transform: jsonSchemaTransform,
    transformObject: jsonSchemaTransformObject,
  });

  app.addHook("onResponse", async (req, reply) => {
    const route = req.routeOptions.url ?? "unmatched";
    ctx.metrics.requests.inc({ method: req.method, route, status: String(reply.statusCode) });
    ctx.metrics.latency.observe({ method: req.method, route }, reply.elapsedTime / 1000);
  });

  healthRoutes(app, ctx);
  await app.register(async (api) => {
    // Authentication before the body is read: a caller without a valid token learns nothing else.
    api.addHook("onRequest", async (req) => {
      req.principal = await authenticate(ctx.pool, req.headers.authorization);
      if (!READ_METHODS.has(req.method) && req.principal.role === "viewer") {
        throw forbidden("This token is read-only (role viewer).");
      }
    });
    operationRoutes(api, ctx);
    operationActionRoutes(api, ctx);
    deviceRoutes(api, ctx);
    deviceImportRoutes(api, ctx);
  });
  await app.register(swaggerUi, { routePrefix: "/docs" });
  return app;
}
