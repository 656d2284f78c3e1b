import { OrganizationPatch, OrganizationView } from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { type Principal, principalOf, requireAdmin } from "../auth.js";
import { ROUTE_BODY_BYTES, routeBodyLimit } from "../body-limits.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { findOrganization, setOrganizationRateLimit } from "../organizations/organization-repository.js";
import { parseOr422 } from "../validation.js";
import { adminErrorResponses, adminSecurity, readErrorResponses, writeErrorResponses } from "./responses.js";

export const ORGANIZATIONS_PATH = "/api/v1/organizations/";
const Params = z.object({ id: z.string().max(32) });
const tags = ["organizations"];

/** The organization id of the path if the token holds it; otherwise 404 (never reveal another tenant's ids). */
function visibleId(principal: Principal, raw: string): number {
  const id = /^[1-9][0-9]{0,15}$/.test(raw) ? Number(raw) : 0;
  if (!principal.organizationIds.includes(id)) throw notFound();
  return id;
}

/** Organizations the token holds: any role reads one; admins set its default probe rate limit. */
export function organizationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const bodyLimit = routeBodyLimit(ctx.config.BODY_LIMIT_BYTES, ROUTE_BODY_BYTES.action);
  const load = async (id: number) => {
    const org = await findOrganization(ctx.pool, id);
    if (!org) throw notFound();
    return org;
  };

  r.get(
    `${ORGANIZATIONS_PATH}:id`,
    {
      schema: {
        operationId: "getOrganization",
        summary: "Get an organization the token holds (with its default probe rate limit)",
        tags,
        params: Params,
        response: { 200: OrganizationView.describe("The organization"), ...readErrorResponses },
      },
    },
    async (req) => load(visibleId(principalOf(req), req.params.id)),
  );

  r.patch(
    `${ORGANIZATIONS_PATH}:id`,
    {
      bodyLimit,
      schema: {
        operationId: "updateOrganization",
        summary: "Set or remove the organization's default probe rate limit",
        description:
          "Admin tokens only. `max_devices_per_second` applies to operations over the organization that set no `options.max_devices_per_second` (an operation over several organizations gets the smallest of their defaults); `null` removes it. Running operations pick the change up within PROBER_STATUS_CACHE_MS.",
        tags,
        security: adminSecurity,
        params: Params,
        body: OrganizationPatch,
        response: {
          200: OrganizationView.describe("The organization, changed"),
          ...adminErrorResponses(writeErrorResponses),
        },
      },
    },
    async (req) => {
      const id = visibleId(requireAdmin(req), req.params.id);
      const patch = parseOr422(OrganizationPatch, req.body);
      if (patch.max_devices_per_second === undefined) return load(id);
      const org = await setOrganizationRateLimit(ctx.pool, id, patch.max_devices_per_second);
      if (!org) throw notFound();
      return org;
    },
  );
}
