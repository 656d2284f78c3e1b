import { BaselineInput, BaselinePatch, BaselineView, PageQuery, pageOf } from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, requireOrganizations, requireWriter } from "../auth.js";
import { ROUTE_BODY_BYTES, routeBodyLimit } from "../body-limits.js";
import {
  deleteBaseline,
  findBaseline,
  insertBaseline,
  listBaselines,
  updateBaseline,
} from "../compliance/baseline-repository.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { parseId } from "../operations/query.js";
import { assertPageExists, pageOf as pageFrom, pageLinks } from "../pagination.js";
import { parseOr422 } from "../validation.js";
import {
  createErrorResponses,
  listErrorResponses,
  noContent,
  readErrorResponses,
  writeErrorResponses,
} from "./responses.js";

export const BASELINES_PATH = "/api/v1/compliance/baselines/";
const Params = z.object({ id: z.string().max(32) });
const PaginatedBaselines = pageOf(BaselineView).meta({ id: "PaginatedBaselines" });
const tags = ["compliance"];

/** Firmware baselines per organization; viewers read, operators and admins write. */
export function complianceBaselineRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const bodyLimit = routeBodyLimit(ctx.config.BODY_LIMIT_BYTES, ROUTE_BODY_BYTES.devicePatch);
  const visible = (id: string) => parseId(id) ?? "0";

  r.get(
    BASELINES_PATH,
    {
      schema: {
        operationId: "listBaselines",
        summary: "List the firmware baselines of the token's organizations",
        tags,
        querystring: PageQuery,
        response: { 200: PaginatedBaselines.describe("A page of baselines"), ...listErrorResponses },
      },
    },
    async (req) => {
      const page = pageFrom(req.query);
      const { count, results } = await listBaselines(ctx.pool, principalOf(req), page);
      assertPageExists(page, count);
      return { count, ...pageLinks(req, ctx.config.PUBLIC_URL, page, count), results };
    },
  );

  r.post(
    BASELINES_PATH,
    {
      bodyLimit,
      schema: {
        operationId: "createBaseline",
        summary: "Create a firmware baseline",
        tags,
        body: BaselineInput,
        response: { 201: BaselineView.describe("The baseline"), ...createErrorResponses },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const { organization_id, ...fields } = parseOr422(BaselineInput, req.body);
      requireOrganizations(principal, [{ id: organization_id, path: "organization_id" }]);
      const view = await insertBaseline(ctx.pool, organization_id, fields);
      return reply.code(201).send(view);
    },
  );

  r.get(
    `${BASELINES_PATH}:id`,
    {
      schema: {
        operationId: "getBaseline",
        summary: "Get a firmware baseline",
        tags,
        params: Params,
        response: { 200: BaselineView.describe("The baseline"), ...readErrorResponses },
      },
    },
    async (req) => {
      const view = await findBaseline(ctx.pool, principalOf(req), visible(req.params.id));
      if (!view) throw notFound();
      return view;
    },
  );

  r.patch(
    `${BASELINES_PATH}:id`,
    {
      bodyLimit,
      schema: {
        operationId: "updateBaseline",
        summary: "Change a firmware baseline",
        tags,
        params: Params,
        body: BaselinePatch,
        response: { 200: BaselineView.describe("The baseline, changed"), ...writeErrorResponses },
      },
    },
    async (req) => {
      const principal = requireWriter(req);
      const patch = parseOr422(BaselinePatch, req.body);
      const view = await updateBaseline(ctx.pool, principal, visible(req.params.id), patch);
      if (!view) throw notFound();
      return view;
    },
  );

  r.delete(
    `${BASELINES_PATH}:id`,
    {
      schema: {
        operationId: "deleteBaseline",
        summary: "Delete a firmware baseline",
        tags,
        params: Params,
        response: { 204: noContent("Deleted; no body"), ...writeErrorResponses },
      },
    },
    async (req, reply) => {
      if (!(await deleteBaseline(ctx.pool, requireWriter(req), visible(req.params.id)))) throw notFound();
      return reply.code(204).send();
    },
  );
}
