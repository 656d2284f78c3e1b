import { AuditListQuery, PaginatedAuditEvents } from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { listAuditEvents } from "../audit/audit-repository.js";
import { requireAdmin } from "../auth.js";
import type { AppContext } from "../context.js";
import { assertPageExists, pageOf as pageFrom, pageLinks } from "../pagination.js";
import { adminErrorResponses, adminSecurity, listErrorResponses } from "./responses.js";

export const AUDIT_PATH = "/api/v1/audit/";

/** The audit trail of writes, for admins of every organization of the token that made them. */
export function auditRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    AUDIT_PATH,
    {
      schema: {
        operationId: "listAuditEvents",
        summary: "List audit events (every write: who, organizations, action, object, status)",
        description:
          "Admin tokens only. An event is listed when every organization of the token that made it is one of the admin's. Filters: `action`, `object_type`, `object_id`, `token_id`, `since` (inclusive), `until` (exclusive). Newest first.",
        tags: ["audit"],
        security: adminSecurity,
        querystring: AuditListQuery,
        response: {
          200: PaginatedAuditEvents.describe("A page of audit events, newest first"),
          ...adminErrorResponses(listErrorResponses),
        },
      },
    },
    async (req) => {
      const admin = requireAdmin(req);
      const q = req.query;
      const page = pageFrom(q);
      const filters = {
        action: q.action,
        objectType: q.object_type,
        objectId: q.object_id,
        tokenId: q.token_id,
        since: q.since,
        until: q.until,
      };
      const { count, results } = await listAuditEvents(ctx.pool, admin.organizationIds, filters, page);
      assertPageExists(page, count);
      return { count, ...pageLinks(req, ctx.config.PUBLIC_URL, page, count), results };
    },
  );
}
