import { PaginatedTokens, TokenCreateBody, TokenCreatedView, TokenListQuery } from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireAdmin, requireOrganizations } from "../auth.js";
import type { AppContext } from "../context.js";
import { badRequest, notFound } from "../errors.js";
import { assertPageExists, pageOf as pageFrom, pageLinks } from "../pagination.js";
import { expiryOf } from "../token-expiry.js";
import { createToken, listTokens, revokeToken } from "../tokens/token-repository.js";
import { parseOr422 } from "../validation.js";
import {
  adminErrorResponses,
  adminSecurity,
  createErrorResponses,
  listErrorResponses,
  noContent,
  writeErrorResponses,
} from "./responses.js";

export const TOKENS_PATH = "/api/v1/tokens/";
const Params = z.object({ id: z.string().max(32) });
const adminOnly = "Admin tokens only, and only for organizations the admin holds";

/** Admins manage the tokens of their own organizations: create (secret shown once), list, revoke. */
export function tokenRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    TOKENS_PATH,
    {
      schema: {
        operationId: "createToken",
        summary: "Create an API token (the secret is in this response only)",
        description: `${adminOnly}: every organization of the new token must be one of the calling admin's, so an admin never mints a token (admin or not) beyond its own reach. \`expires_in\` (\`90d\`, \`12h\`, \`30m\`, \`2w\`) sets an expiry; past it the token answers 401.`,
        tags: ["tokens"],
        security: adminSecurity,
        body: TokenCreateBody,
        response: {
          201: TokenCreatedView.describe("The token, with its secret (shown this once)"),
          ...adminErrorResponses(createErrorResponses),
        },
      },
    },
    async (req, reply) => {
      const admin = requireAdmin(req);
      if (req.body === undefined || req.body === null) throw badRequest("A request body is required.");
      const body = parseOr422(TokenCreateBody, req.body as unknown);
      const orgs = [...new Set(body.organization_ids)];
      requireOrganizations(
        admin,
        body.organization_ids.map((id, i) => ({ id, path: `organization_ids.${i}` })),
      );
      const { view, secret } = await createToken(ctx.pool, {
        name: body.name,
        role: body.role,
        organizationIds: orgs,
        expiresAt: body.expires_in ? expiryOf(body.expires_in) : null,
        createdBy: admin.tokenId,
      });
      req.log.info({ tokenId: view.id, role: view.role, organizations: orgs }, "token created");
      return reply.code(201).send({ ...view, token: secret });
    },
  );

  r.get(
    TOKENS_PATH,
    {
      schema: {
        operationId: "listTokens",
        summary: "List the API tokens of the admin's organizations (never their secrets)",
        description: `${adminOnly}. A token is listed when all its organizations are the admin's.`,
        tags: ["tokens"],
        security: adminSecurity,
        querystring: TokenListQuery,
        response: {
          200: PaginatedTokens.describe("A page of tokens"),
          ...adminErrorResponses(listErrorResponses),
        },
      },
    },
    async (req) => {
      const admin = requireAdmin(req);
      const page = pageFrom(req.query);
      const includeRevoked = !["false", "0"].includes(req.query.include_revoked ?? "true");
      const filters = { role: req.query.role, includeRevoked };
      const { count, results } = await listTokens(ctx.pool, admin.organizationIds, filters, page);
      assertPageExists(page, count);
      return { count, ...pageLinks(req, ctx.config.PUBLIC_URL, page, count), results };
    },
  );

  r.delete(
    `${TOKENS_PATH}:id`,
    {
      schema: {
        operationId: "revokeToken",
        summary: "Revoke an API token (401 on its very next request)",
        description: `${adminOnly}. Revoking a revoked token is a no-op; a token of other organizations answers 404 like an unknown id.`,
        tags: ["tokens"],
        security: adminSecurity,
        params: Params,
        response: { 204: noContent("Revoked; no body"), ...adminErrorResponses(writeErrorResponses) },
      },
    },
    async (req, reply) => {
      const admin = requireAdmin(req);
      if (!(await revokeToken(ctx.pool, admin.organizationIds, req.params.id))) throw notFound();
      req.log.info({ tokenId: req.params.id }, "token revoked");
      return reply.code(204).send();
    },
  );
}
