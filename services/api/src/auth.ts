import { timingSafeEqual } from "node:crypto";
import type { TokenRole } from "@headless-ops/contracts";
import type { FastifyRequest } from "fastify";
import type pg from "pg";
import { forbidden, unauthorized } from "./errors.js";
import { hashToken } from "./tokens.js";

/** Who is calling: the token's id, role and the organizations it may see and act on. */
export type Principal = {
  tokenId: string;
  role: TokenRole;
  organizationIds: number[];
};

declare module "fastify" {
  interface FastifyRequest {
    principal?: Principal;
  }
}

type TokenRow = {
  id: string;
  token_hash: Buffer;
  role: TokenRole;
  organization_ids: string[];
  revoked: boolean;
  expired: boolean;
};

/**
 * Resolves `Authorization: Bearer <token>` to a principal: sha-256 lookup, then a constant-time
 * comparison of the digests. Missing, unknown, revoked and expired tokens all answer 401.
 */
export async function authenticate(pool: pg.Pool, header: string | undefined): Promise<Principal> {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? "");
  if (!match?.[1]) throw unauthorized();
  const digest = hashToken(match[1]);
  const res = await pool.query<TokenRow>(
    `SELECT id, token_hash, role, organization_ids, revoked_at IS NOT NULL AS revoked,
            coalesce(expires_at <= now(), false) AS expired
       FROM api_tokens WHERE token_hash = $1`,
    [digest],
  );
  const row = res.rows[0];
  if (!row || row.token_hash.length !== digest.length || !timingSafeEqual(row.token_hash, digest)) {
    throw unauthorized("Invalid token.");
  }
  if (row.revoked) throw unauthorized("Invalid token.");
  if (row.expired) throw unauthorized("Token expired.");
  // Coarse last-use stamp (at most once a minute per token), off the request's critical path.
  void pool
    .query(
      `UPDATE api_tokens SET last_used_at = now()
        WHERE id = $1 AND (last_used_at IS NULL OR last_used_at < now() - interval '1 minute')`,
      [row.id],
    )
    .catch(() => undefined);
  return { tokenId: row.id, role: row.role, organizationIds: row.organization_ids.map(Number) };
}

/** The authenticated principal of a request (routes under /api run the auth hook first). */
export function principalOf(req: FastifyRequest): Principal {
  if (!req.principal) throw unauthorized();
  return req.principal;
}

/** Viewers may only read. */
export function requireWriter(req: FastifyRequest): Principal {
  const principal = principalOf(req);
  if (principal.role === "viewer") throw forbidden("This token is read-only (role viewer).");
  return principal;
}

/** Token management and the audit trail are for admins only. */
export function requireAdmin(req: FastifyRequest): Principal {
  const principal = principalOf(req);
  if (principal.role !== "admin")
    throw forbidden(`This action requires an admin token (role ${principal.role}).`);
  return principal;
}

/** 403 naming every organization the token may not act on, by the field it came from. */
export function requireOrganizations(
  principal: Principal,
  targets: readonly { id: number; path: string }[],
): void {
  const allowed = new Set(principal.organizationIds);
  const errors = targets
    .filter((t) => !allowed.has(t.id))
    .map((t) => ({ path: t.path, message: `organization ${t.id} is not accessible with this token` }));
  if (errors.length > 0) {
    throw forbidden("Insufficient permissions for the target organizations.", errors);
  }
}
