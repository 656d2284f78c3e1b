import { z } from "zod";
import { OrganizationId, TokenRole } from "../domain.js";
import { PageQuery } from "./pagination.js";

const Iso = z.iso.datetime({ offset: true });

/** Organizations one token may hold (an admin's list is checked against its own). */
export const TOKEN_ORGANIZATIONS_MAX = 1_000;

/** `90d`, `12h`, `30m`, `2w`: a positive count and one unit. */
export const ExpiresIn = z
  .string()
  .max(16)
  .regex(/^[1-9][0-9]{0,5}[mhdw]$/, "a positive count and a unit m, h, d or w, e.g. 90d");

/** `POST /api/v1/tokens/`: the organizations must all be the calling admin's. */
export const TokenCreateBody = z
  .strictObject({
    name: z.string().max(200).default(""),
    role: TokenRole.default("operator"),
    organization_ids: z.array(OrganizationId).min(1).max(TOKEN_ORGANIZATIONS_MAX),
    /** Lifetime from now; omitted: the token never expires. */
    expires_in: ExpiresIn.optional(),
  })
  .meta({ id: "NewToken" });
export type TokenCreateBody = z.infer<typeof TokenCreateBody>;

/** A token as the API lists it: never its secret, nor its digest. */
export const TokenView = z
  .object({
    id: z.string(),
    name: z.string(),
    role: TokenRole,
    organization_ids: z.array(z.number().int()),
    created_at: Iso,
    expires_at: Iso.nullable(),
    last_used_at: Iso.nullable().describe("Updated at most once a minute"),
    revoked_at: Iso.nullable(),
    created_by: z.string().nullable().describe("The admin token that created it; null for the admin CLI"),
  })
  .meta({ id: "Token" });
export type TokenView = z.infer<typeof TokenView>;

/** The create answer: the only time the secret is shown. */
export const TokenCreatedView = TokenView.extend({
  token: z.string().describe("The bearer secret, shown once: only its sha-256 is stored"),
}).meta({ id: "CreatedToken" });
export type TokenCreatedView = z.infer<typeof TokenCreatedView>;

export const TokenListQuery = PageQuery.extend({
  role: TokenRole.optional(),
  /** Revoked tokens are listed too unless `false`. */
  include_revoked: z.enum(["true", "false", "1", "0"]).optional(),
});

/** `GET /api/v1/me`: what the calling token may do, so a client (the dashboard) shows only that. */
export const CurrentTokenView = z
  .object({
    role: TokenRole,
    organization_ids: z.array(z.number().int()),
  })
  .meta({ id: "CurrentToken" });
export type CurrentTokenView = z.infer<typeof CurrentTokenView>;
