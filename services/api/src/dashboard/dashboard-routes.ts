import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import helmet from "@fastify/helmet";
import fastifyStatic from "@fastify/static";
import type { ErrorBody } from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";

export const DASHBOARD_PREFIX = "/ui/";

/** The built bundle (libs/dashboard/dist, made by `npm run build`), or undefined when it is not built. */
export function dashboardRoot(): string | undefined {
  try {
    const manifest = createRequire(import.meta.url).resolve("@headless-ops/dashboard/package.json");
    const root = join(dirname(manifest), "dist");
    return existsSync(join(root, "index.html")) ? root : undefined;
  } catch {
    return undefined;
  }
}

/*
 * Strict: only the bundle's own files run, and the page talks only to this origin (the API). No
 * inline script or style, no framing, no plugins, no form posting elsewhere; the token the page
 * keeps in sessionStorage cannot be read by injected code that CSP refuses to run.
 */
const contentSecurityPolicy = {
  useDefaults: false,
  directives: {
    defaultSrc: ["'none'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'"],
    imgSrc: ["'self'", "data:"],
    fontSrc: ["'self'"],
    connectSrc: ["'self'"],
    manifestSrc: ["'self'"],
    baseUri: ["'none'"],
    formAction: ["'self'"],
    frameAncestors: ["'none'"],
    objectSrc: ["'none'"],
  },
};

/**
 * The dashboard at `/ui/`: static files of the bundle with security headers (@fastify/helmet, in
 * this plugin's scope only, so the API and /docs keep their own). File names under assets/ carry a
 * content hash and are cached for a year; index.html is revalidated so a deploy shows at once.
 */
export async function dashboardRoutes(app: FastifyInstance): Promise<void> {
  await app.register(helmet, {
    contentSecurityPolicy,
    referrerPolicy: { policy: "no-referrer" },
    crossOriginEmbedderPolicy: false,
  });
  const root = dashboardRoot();
  if (!root) {
    app.log.warn("dashboard bundle not built (libs/dashboard/dist): /ui/ answers 404; run npm run build");
    const missing: ErrorBody = { detail: "The dashboard is not built (npm run build).", errors: [] };
    app.get(`${DASHBOARD_PREFIX}*`, { schema: { hide: true } }, async (_req, reply) =>
      reply.code(404).send(missing),
    );
    return;
  }
  await app.register(fastifyStatic, { root, prefix: DASHBOARD_PREFIX, index: false, schemaHide: true });
  // The page itself (also at /ui: the router ignores the trailing slash; assets use absolute paths).
  app.get(DASHBOARD_PREFIX, { schema: { hide: true } }, async (_req, reply) => reply.sendFile("index.html"));
  app.addHook("onSend", async (req, reply) => {
    if (reply.statusCode !== 200) return;
    const hashed = req.url.startsWith(`${DASHBOARD_PREFIX}assets/`);
    void reply.header("cache-control", hashed ? "public, max-age=31536000, immutable" : "no-cache");
  });
}
