import { CurrentTokenView } from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { principalOf } from "../auth.js";
import { selfErrorResponses } from "./responses.js";

export const ME_PATH = "/api/v1/me";

/**
 * `GET /api/v1/me`: the calling token's role and organizations. Any role may read it; the dashboard
 * uses it to check a token at sign-in and to show write buttons only to operators and admins.
 */
export function meRoutes(app: FastifyInstance): void {
  app.withTypeProvider<ZodTypeProvider>().get(
    ME_PATH,
    {
      schema: {
        operationId: "getCurrentToken",
        summary: "The calling token's role and organizations",
        description:
          "Any valid token may read it (viewers included). Never shows a secret. A client uses it to check a token and to offer only the actions its role allows.",
        tags: ["tokens"],
        response: { 200: CurrentTokenView.describe("The calling token"), ...selfErrorResponses },
      },
    },
    async (req) => {
      const { role, organizationIds } = principalOf(req);
      return { role, organization_ids: organizationIds };
    },
  );
}
