import rateLimit from "@fastify/rate-limit";
import type { Config } from "@headless-ops/runtime";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { HttpError } from "./errors.js";
import { hashToken } from "./tokens.js";

/**
 * Request limits around authentication. `before` runs first: 429 when the caller's bucket is spent
 * (a token's, or the client address's without a token) or when its address has sent too many bad
 * tokens; `failedAuth` counts a refused token against the address, so rotating made-up tokens does
 * not buy unlimited token lookups.
 */
export type RequestLimits = {
  before: (req: FastifyRequest, reply: FastifyReply) => Promise<void>;
  failedAuth: (req: FastifyRequest) => Promise<void>;
};

const bearerOf = (req: FastifyRequest) => /^Bearer\s+(\S+)\s*$/i.exec(req.headers.authorization ?? "")?.[1];

/**
 * The bucket of a request: the sha-256 of its bearer token (never the token itself, which would then
 * sit in memory as a map key), or the client address when there is none.
 */
export function rateLimitKey(req: FastifyRequest): string {
  const token = bearerOf(req);
  return token ? `token:${hashToken(token).toString("base64url")}` : `ip:${req.ip}`;
}

const tooMany = (config: Config, after: string, what: string) =>
  new HttpError(429, `Rate limit exceeded: retry in ${after}.`, [
    {
      path: "Authorization",
      message: `at most ${config.RATE_LIMIT_MAX} ${what} per ${config.RATE_LIMIT_WINDOW_MS} ms`,
    },
  ]);

/**
 * Per-token rate limit (RATE_LIMIT_MAX requests per RATE_LIMIT_WINDOW_MS, in memory per replica).
 * Past it: 429 with `Retry-After` (seconds) and the one error shape.
 */
export async function installRateLimit(app: FastifyInstance, config: Config): Promise<RequestLimits> {
  await app.register(rateLimit, {
    global: false,
    max: config.RATE_LIMIT_MAX,
    timeWindow: config.RATE_LIMIT_WINDOW_MS,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_req, context) => tooMany(config, context.after, "requests"),
  });
  const perCaller = app.rateLimit() as unknown as RequestLimits["before"];
  const badTokens = app.createRateLimit({ keyGenerator: (req) => `bad-token:${req.ip}` });
  return {
    before: async (req, reply) => {
      if (bearerOf(req)) {
        const seen = await badTokens(req, { increment: false });
        if (!seen.isAllowed && seen.isExceeded) {
          void reply.header("retry-after", seen.ttlInSeconds);
          throw tooMany(config, `${seen.ttlInSeconds} seconds`, "refused tokens");
        }
      }
      await perCaller(req, reply);
    },
    failedAuth: async (req) => {
      if (bearerOf(req)) await badTokens(req);
    },
  };
}
