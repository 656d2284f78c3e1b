import {
  CreateScheduleBody,
  DryRunView,
  PaginatedSchedules,
  ScheduleListQuery,
  ScheduleView,
  StoredOperationRequest,
  UpdateScheduleBody,
} from "@headless-ops/contracts";
import { withTransaction } from "@headless-ops/db";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { type Principal, principalOf, requireOrganizations, requireWriter } from "../auth.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { dryRun } from "../operations/dry-run.js";
import { assertPageExists, pageLinks, pageOf } from "../pagination.js";
import {
  deleteSchedule,
  findSchedule,
  insertSchedule,
  listSchedules,
  mergedBody,
  recentRuns,
  scheduleFields,
  updateSchedule,
} from "../schedules/schedule-repository.js";
import { SCHEDULES_PATH, type ScheduleRow, scheduleView } from "../schedules/schedule-view.js";
import { parseOr422 } from "../validation.js";
import {
  createErrorResponses,
  listErrorResponses,
  noContent,
  readErrorResponses,
  writeErrorResponses,
} from "./responses.js";

const Params = z.object({ id: z.string().max(32) });
const tags = ["schedules"];

const checkOrganizations = (principal: Principal, orgs: number[]) =>
  requireOrganizations(
    principal,
    orgs.map((id, i) => ({ id, path: `target_organizations.${i}` })),
  );

/** Recurring operations: CRUD plus a dry-run preview of the next firing. */
export function scheduleRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  const viewOne = async (row: ScheduleRow) =>
    scheduleView(row, (await recentRuns(ctx.pool, [row.id])).get(row.id) ?? [], new Date());

  r.get(
    SCHEDULES_PATH,
    {
      schema: {
        operationId: "listSchedules",
        summary: "List schedules",
        tags,
        querystring: ScheduleListQuery,
        response: {
          200: PaginatedSchedules.describe("A page of schedules, newest first"),
          ...listErrorResponses,
        },
      },
    },
    async (req) => {
      const page = pageOf(req.query);
      const enabled = req.query.enabled === undefined ? undefined : req.query.enabled === "true";
      const { count, rows } = await listSchedules(ctx.pool, principalOf(req), enabled, page);
      assertPageExists(page, count);
      const runs = await recentRuns(
        ctx.pool,
        rows.map((row) => row.id),
      );
      const now = new Date();
      return {
        count,
        ...pageLinks(req, ctx.config.PUBLIC_URL, page, count),
        results: rows.map((row) => scheduleView(row, runs.get(row.id) ?? [], now)),
      };
    },
  );

  r.post(
    SCHEDULES_PATH,
    {
      schema: {
        operationId: "createSchedule",
        summary: "Create a recurring schedule",
        description: "An operation body (without `execute_at`) plus a 5-field `cron` in an IANA `timezone`.",
        tags,
        body: CreateScheduleBody,
        response: { 201: ScheduleView.describe("The schedule"), ...createErrorResponses },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const body = parseOr422(CreateScheduleBody, req.body);
      checkOrganizations(principal, body.target_organizations);
      const row = await insertSchedule(ctx.pool, principal.tokenId, scheduleFields(body), new Date());
      req.log.info({ scheduleId: row.id, cron: row.cron }, "schedule created");
      return reply.code(201).send(await viewOne(row));
    },
  );

  r.get(
    `${SCHEDULES_PATH}:id`,
    {
      schema: {
        operationId: "getSchedule",
        summary: "Get a schedule with its next 5 fire times and its last runs",
        tags,
        params: Params,
        response: { 200: ScheduleView.describe("The schedule"), ...readErrorResponses },
      },
    },
    async (req) => {
      const row = await findSchedule(ctx.pool, principalOf(req), req.params.id);
      if (!row) throw notFound();
      return viewOne(row);
    },
  );

  r.patch(
    `${SCHEDULES_PATH}:id`,
    {
      schema: {
        operationId: "updateSchedule",
        summary: "Update a schedule (next fire times restart from now)",
        tags,
        params: Params,
        body: UpdateScheduleBody,
        response: { 200: ScheduleView.describe("The schedule, updated"), ...writeErrorResponses },
      },
    },
    async (req) => {
      const principal = requireWriter(req);
      const patch = parseOr422(UpdateScheduleBody, req.body);
      const row = await withTransaction(ctx.pool, async (client) => {
        const existing = await findSchedule(client, principal, req.params.id, true);
        if (!existing) throw notFound();
        const body = mergedBody(existing, StoredOperationRequest.parse(existing.request), patch);
        checkOrganizations(principal, body.target_organizations);
        return updateSchedule(client, existing.id, scheduleFields(body), new Date());
      });
      req.log.info({ scheduleId: row.id }, "schedule updated");
      return viewOne(row);
    },
  );

  r.delete(
    `${SCHEDULES_PATH}:id`,
    {
      schema: {
        operationId: "deleteSchedule",
        summary: "Delete a schedule (its operations stay, with schedule_id cleared)",
        tags,
        params: Params,
        response: { 204: noContent("Deleted; no body"), ...writeErrorResponses },
      },
    },
    async (req, reply) => {
      const existing = await findSchedule(ctx.pool, requireWriter(req), req.params.id);
      if (!existing) throw notFound();
      await deleteSchedule(ctx.pool, existing.id);
      req.log.info({ scheduleId: existing.id }, "schedule deleted");
      return reply.code(204).send();
    },
  );

  r.get(
    `${SCHEDULES_PATH}:id/preview`,
    {
      schema: {
        operationId: "previewSchedule",
        summary: "Dry run of the schedule's next firing: what it would target now, nothing created",
        tags,
        params: Params,
        response: { 200: DryRunView.describe("What the next firing would run"), ...readErrorResponses },
      },
    },
    async (req) => {
      const row = await findSchedule(ctx.pool, principalOf(req), req.params.id);
      if (!row) throw notFound();
      const deps = {
        db: ctx.pool,
        addressProblem: ctx.addressProblem,
        defaultDevicesPerMinute: ctx.config.DEFAULT_DEVICES_PER_MINUTE,
      };
      return dryRun(deps, StoredOperationRequest.parse(row.request), row.next_fire_at);
    },
  );
}
