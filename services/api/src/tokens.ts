import { createHash, randomBytes } from "node:crypto";

/** Tokens look like `hops_<43 base64url chars>`: 256 random bits, recognisable in a leak scanner. */
export const TOKEN_PREFIX = "hops_";

export function generateToken(): string {
  return `${TOKEN_PREFIX}${randomBytes(32).toString("base64url")}`;
}

/** Only this digest is stored; the token itself is shown once, at creation. */
export function hashToken(token: string): Buffer {
  return createHash("sha256").update(token, "utf8").digest();
}
