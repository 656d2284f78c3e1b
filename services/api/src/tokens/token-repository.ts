import type { TokenRole, TokenView } from "@headless-ops/contracts";
import type pg from "pg";
import type { Page } from "../pagination.js";
import { generateToken, hashToken } from "../tokens.js";

type TokenRow = {
  id: string;
  name: string;
  role: TokenRole;
  organization_ids: string[];
  created_at: Date;
  expires_at: Date | null;
  last_used_at: Date | null;
  revoked_at: Date | null;
  created_by: string | null;
};

// Never token_hash: a digest is not a secret one can log in with, but it has no reader either.
const COLUMNS =
  "id, name, role, organization_ids, created_at, expires_at, last_used_at, revoked_at, created_by";
/** Tokens an admin manages: those whose organizations are all its own. */
const MANAGED = "organization_ids <@ $1::bigint[]";

const iso = (d: Date | null) => (d ? d.toISOString() : null);

function tokenView(row: TokenRow): TokenView {
  return {
    id: row.id,
    name: row.name,
    role: row.role,
    organization_ids: row.organization_ids.map(Number),
    created_at: row.created_at.toISOString(),
    expires_at: iso(row.expires_at),
    last_used_at: iso(row.last_used_at),
    revoked_at: iso(row.revoked_at),
    created_by: row.created_by,
  };
}

export type NewToken = {
  name: string;
  role: TokenRole;
  organizationIds: number[];
  expiresAt: Date | null;
  createdBy: string | null;
};

/** Stores the digest of a fresh secret; the secret is returned once and kept nowhere. */
export async function createToken(
  db: pg.Pool | pg.PoolClient,
  token: NewToken,
): Promise<{ view: TokenView; secret: string }> {
  const secret = generateToken();
  const res = await db.query<TokenRow>(
    `INSERT INTO api_tokens (name, token_hash, role, organization_ids, expires_at, created_by)
     VALUES ($1, $2, $3, $4::bigint[], $5, $6) RETURNING ${COLUMNS}`,
    [token.name, hashToken(secret), token.role, token.organizationIds, token.expiresAt, token.createdBy],
  );
  const row = res.rows[0];
  if (!row) throw new Error("token insert returned no row");
  return { view: tokenView(row), secret };
}

/** One page of the tokens an admin of `organizationIds` manages, newest first. */
export async function listTokens(
  pool: pg.Pool,
  organizationIds: number[],
  filters: { role?: TokenRole; includeRevoked: boolean },
  page: Page,
): Promise<{ count: number; results: TokenView[] }> {
  const where = `${MANAGED} AND ($2::text IS NULL OR role = $2) AND ($3 OR revoked_at IS NULL)`;
  const params = [organizationIds, filters.role ?? null, filters.includeRevoked];
  const [count, rows] = await Promise.all([
    pool.query<{ n: number }>(`SELECT count(*)::int AS n FROM api_tokens WHERE ${where}`, params),
    pool.query<TokenRow>(
      `SELECT ${COLUMNS} FROM api_tokens WHERE ${where} ORDER BY id DESC LIMIT $4 OFFSET $5`,
      [...params, page.pageSize, page.offset],
    ),
  ]);
  return { count: count.rows[0]?.n ?? 0, results: rows.rows.map(tokenView) };
}

/** Revokes a managed token (idempotent); false when there is none the admin may see. */
export async function revokeToken(pool: pg.Pool, organizationIds: number[], id: string): Promise<boolean> {
  if (!/^[0-9]{1,18}$/.test(id)) return false;
  const res = await pool.query(
    `UPDATE api_tokens SET revoked_at = coalesce(revoked_at, now()) WHERE id = $2::bigint AND ${MANAGED}`,
    [organizationIds, id],
  );
  return (res.rowCount ?? 0) > 0;
}
