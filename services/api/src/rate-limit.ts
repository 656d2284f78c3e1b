import rateLimit from "@fastify/rate-limit";
import type { Config } from "@headless-ops/runtime";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "./errors.js";
import { hashToken } from "./tokens.js";

/** Runs before authentication, so a flood is refused before it costs a token lookup. */
export type RateLimiter = (req: FastifyRequest, reply: FastifyReply) => Promise<void>;

/**
 * The bucket of a request: the sha-256 of its bearer token (never the token itself, which would then
 * sit in memory as a map key), or the client address when there is none.
 */
export function rateLimitKey(req: FastifyRequest): string {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "");
  return match?.[1] ? `token:${hashToken(match[1]).toString("base64url")}` : `ip:${req.ip}`;
}

/**
 * Per-token rate limit (RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_MS, in memory per replica).
 * Past it: 429 with `Retry-After` (seconds) and the one error shape.
 */
export async function installRateLimit(app: FastifyInstance, config: Config): Promise<RateLimiter> {
  await app.register(rateLimit, {
    global: false,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_MS,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_req, context) =>
      new HttpError(context.statusCode, `Rate limit exceeded: retry in ${context.after}.`, [
        {
          path: "Authorization",
          message: `at most ${context.max} requests per ${config.RATE_LIMIT_WINDOW_MS} ms`,
        },
      ]),
  });
  return app.rateLimit() as unknown as RateLimiter;
}
