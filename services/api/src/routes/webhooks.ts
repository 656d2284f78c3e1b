import {
  ErrorBody,
  PageQuery,
  PaginatedWebhookDeliveries,
  PaginatedWebhooks,
  WebhookCreateBody,
  WebhookCreatedView,
  WebhookDeliveryView,
  type WebhookMilestone,
  WebhookUpdateBody,
  WebhookView,
} from "@headless-ops/contracts";
import type { FastifyInstance, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { type Principal, requireOrganizations, requireWriter } from "../auth.js";
import type { AppContext } from "../context.js";
import { badRequest, notFound, unprocessable } from "../errors.js";
import { parseId } from "../operations/query.js";
import { assertPageExists, pageOf as pageFrom, pageLinks } from "../pagination.js";
import { parseOr422 } from "../validation.js";
import {
  createWebhook,
  deleteWebhook,
  getWebhook,
  listDeliveries,
  listWebhooks,
  redeliver,
  updateWebhook,
} from "../webhooks/webhook-repository.js";
import { webhookUrlProblem } from "../webhooks/webhook-url.js";
import {
  createErrorResponses,
  listErrorResponses,
  noContent,
  readErrorResponses,
  writeErrorResponses,
} from "./responses.js";

export const WEBHOOKS_PATH = "/api/v1/webhooks/";
const Params = z.object({ id: z.string().max(32) });
const DeliveryParams = z.object({ id: z.string().max(32), deliveryId: z.string().max(32) });
const who = "Admins and operators of the webhook's organization (viewers: 403)";
const viewer403 = {
  403: ErrorBody.describe("Read-only token (role viewer): webhooks are for admins and operators"),
};
const ALL_MILESTONES: WebhookMilestone[] = [25, 50, 75];

function requireBody(req: FastifyRequest): unknown {
  if (req.body === undefined || req.body === null) throw badRequest("A request body is required.");
  return req.body as unknown;
}

/** The visible webhook of a path id, or 404 (unknown and foreign ids answer alike). */
async function visibleWebhook(ctx: AppContext, principal: Principal, id: string) {
  const valid = parseId(id);
  const hook = valid ? await getWebhook(ctx.pool, principal.organizationIds, valid) : undefined;
  if (!hook) throw notFound();
  return hook;
}

async function checkUrl(ctx: AppContext, url: string): Promise<void> {
  const problem = await webhookUrlProblem(ctx.webhookGuard, url);
  if (problem) throw unprocessable([{ path: "url", message: problem }]);
}

/** Webhooks per organization: CRUD, the secret shown once, deliveries with their attempts, redeliver. */
export function webhookRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.post(
    WEBHOOKS_PATH,
    {
      schema: {
        operationId: "createWebhook",
        summary: "Create a webhook (the signing secret is in this response only)",
        description: `${who}. The URL must be https and resolve only to public addresses (checked again before every delivery); 422 otherwise.`,
        tags: ["webhooks"],
        body: WebhookCreateBody,
        response: {
          201: WebhookCreatedView.describe("The webhook, created, with its secret (shown this once)"),
          ...createErrorResponses,
        },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const body = parseOr422(WebhookCreateBody, requireBody(req));
      requireOrganizations(principal, [{ id: body.organization_id, path: "organization_id" }]);
      if (!ctx.sealer) {
        throw unprocessable([
          { path: "(body)", message: "webhooks need CREDENTIAL_KEY on the API to seal secrets" },
        ]);
      }
      await checkUrl(ctx, body.url);
      const { view, secret } = await createWebhook(ctx.pool, ctx.sealer, {
        organizationId: body.organization_id,
        url: body.url,
        events: body.events,
        milestones: body.milestones ?? ALL_MILESTONES,
        description: body.description ?? null,
        enabled: body.enabled ?? true,
        createdBy: principal.tokenId,
      });
      req.log.info({ webhookId: view.id, organizationId: view.organization_id }, "webhook created");
      return reply.code(201).send({ ...view, secret });
    },
  );

  r.get(
    WEBHOOKS_PATH,
    {
      schema: {
        operationId: "listWebhooks",
        summary: "List the webhooks of the token's organizations (never their secrets)",
        description: who,
        tags: ["webhooks"],
        querystring: PageQuery,
        response: {
          200: PaginatedWebhooks.describe("A page of webhooks, newest first"),
          ...listErrorResponses,
          ...viewer403,
        },
      },
    },
    async (req) => {
      const principal = requireWriter(req);
      const page = pageFrom(req.query);
      const { count, results } = await listWebhooks(ctx.pool, principal.organizationIds, page);
      assertPageExists(page, count);
      return { count, ...pageLinks(req, ctx.config.PUBLIC_URL, page, count), results };
    },
  );

  r.get(
    `${WEBHOOKS_PATH}:id`,
    {
      schema: {
        operationId: "getWebhook",
        summary: "Get a webhook",
        description: who,
        tags: ["webhooks"],
        params: Params,
        response: { 200: WebhookView.describe("The webhook"), ...readErrorResponses, ...viewer403 },
      },
    },
    async (req) => visibleWebhook(ctx, requireWriter(req), req.params.id),
  );

  r.patch(
    `${WEBHOOKS_PATH}:id`,
    {
      schema: {
        operationId: "updateWebhook",
        summary: "Update a webhook's URL, events, milestones, description or enabled flag",
        description: `${who}. A new URL passes the same checks as at creation.`,
        tags: ["webhooks"],
        params: Params,
        body: WebhookUpdateBody,
        response: { 200: WebhookView.describe("The webhook, updated"), ...writeErrorResponses },
      },
    },
    async (req) => {
      const principal = requireWriter(req);
      const hook = await visibleWebhook(ctx, principal, req.params.id);
      const body = parseOr422(WebhookUpdateBody, requireBody(req));
      if (body.url !== undefined) await checkUrl(ctx, body.url);
      const updated = await updateWebhook(ctx.pool, principal.organizationIds, hook.id, body);
      if (!updated) throw notFound();
      return updated;
    },
  );

  r.delete(
    `${WEBHOOKS_PATH}:id`,
    {
      schema: {
        operationId: "deleteWebhook",
        summary: "Delete a webhook and its delivery history",
        description: who,
        tags: ["webhooks"],
        params: Params,
        response: { 204: noContent("Deleted; no body"), ...writeErrorResponses },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const valid = parseId(req.params.id);
      if (!valid || !(await deleteWebhook(ctx.pool, principal.organizationIds, valid))) throw notFound();
      req.log.info({ webhookId: valid }, "webhook deleted");
      return reply.code(204).send();
    },
  );

  r.get(
    `${WEBHOOKS_PATH}:id/deliveries/`,
    {
      schema: {
        operationId: "listWebhookDeliveries",
        summary:
          "List a webhook's deliveries, newest first, each with every attempt (status code, latency, error, time)",
        description: who,
        tags: ["webhooks"],
        params: Params,
        querystring: PageQuery,
        response: {
          200: PaginatedWebhookDeliveries.describe("A page of deliveries, newest first, with their attempts"),
          ...readErrorResponses,
          ...viewer403,
        },
      },
    },
    async (req) => {
      const hook = await visibleWebhook(ctx, requireWriter(req), req.params.id);
      const page = pageFrom(req.query);
      const { count, results } = await listDeliveries(ctx.pool, hook.id, page);
      assertPageExists(page, count);
      return { count, ...pageLinks(req, ctx.config.PUBLIC_URL, page, count), results };
    },
  );

  r.post(
    `${WEBHOOKS_PATH}:id/deliveries/:deliveryId/redeliver`,
    {
      schema: {
        operationId: "redeliverWebhookDelivery",
        summary: "Send a delivery again (same webhook-id, fresh retry window)",
        description: `${who}. The notifier sends it within NOTIFIER_POLL_MS; receivers de-duplicate by \`webhook-id\`.`,
        tags: ["webhooks"],
        params: DeliveryParams,
        response: { 202: WebhookDeliveryView.describe("The delivery, due again"), ...writeErrorResponses },
      },
    },
    async (req, reply) => {
      const hook = await visibleWebhook(ctx, requireWriter(req), req.params.id);
      const deliveryId = parseId(req.params.deliveryId);
      const delivery = deliveryId
        ? await redeliver(ctx.pool, hook.id, deliveryId, ctx.config.NOTIFIER_RETRY_WINDOW_MS)
        : undefined;
      if (!delivery) throw notFound();
      req.log.info({ webhookId: hook.id, deliveryId }, "webhook delivery requeued");
      return reply.code(202).send(delivery);
    },
  );
}
