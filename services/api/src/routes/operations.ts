import {
  CreateOperationBody,
  CreateOperationEnvelope,
  DryRunView,
  OperationCreatedView,
  OperationListQuery,
  PaginatedOperations,
} from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, requireOrganizations, requireWriter } from "../auth.js";
import { unwrapDataBody } from "../body.js";
import { ROUTE_BODY_BYTES, routeBodyLimit } from "../body-limits.js";
import { CheckedCreateOperationBody } from "../checked-schemas.js";
import type { AppContext } from "../context.js";
import { HttpError, notFound } from "../errors.js";
import { createOperation } from "../operations/create.js";
import { dryRun } from "../operations/dry-run.js";
import { normalizeRequest } from "../operations/normalize.js";
import {
  OPERATIONS_PATH,
  type OperationRow,
  operationCreatedView,
  operationView,
} from "../operations/operation-view.js";
import { findOperation, listOperations, reloadOperations } from "../operations/query.js";
import { assertPageExists, pageOf as pageFrom, pageLinks } from "../pagination.js";
import { parseOr422 } from "../validation.js";
import { conflictResponse, createErrorResponses, listErrorResponses } from "./responses.js";

const IdempotencyKey = z
  .string()
  .min(1)
  .max(255)
  .regex(/^[\x21-\x7e]+$/, "printable ASCII without spaces");

/** The two reference endpoints: list/get (GET) and create (POST). */
export function operationRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  /** `update_status=true`: the helpers run first; their failure is the one 500 this API answers on purpose. */
  const refreshed = async (rows: OperationRow[]): Promise<OperationRow[]> => {
    const ids = rows.map((row) => row.id);
    try {
      await ctx.statusHelpers(ctx.pool, ids);
    } catch (err) {
      ctx.log.error({ err, operationIds: ids }, "status helpers failed");
      throw new HttpError(
        500,
        "Operation status update failed: the status helpers could not refresh the operations.",
        [{ path: "update_status", message: "status helpers failed; retry, or omit update_status" }],
      );
    }
    return reloadOperations(ctx.pool, ids);
  };

  r.get(
    OPERATIONS_PATH,
    {
      schema: {
        operationId: "listOperations",
        summary: "List operations, or get one by id",
        description:
          "Newest first, DRF page-number pagination. `id` returns that one operation in the same envelope (404 if unknown); `update_status=true` runs the status helpers first (500 if they fail).",
        tags: ["operations"],
        querystring: OperationListQuery,
        response: { 200: PaginatedOperations.describe("A page of operations"), ...listErrorResponses },
      },
    },
    async (req) => {
      const principal = principalOf(req);
      const q = req.query;
      const page = pageFrom(q);
      let count: number;
      let rows: OperationRow[];
      if (q.id !== undefined) {
        const row = await findOperation(ctx.pool, principal, q.id);
        if (!row) throw notFound();
        count = 1;
        rows = page.page === 1 ? [row] : [];
      } else {
        const filters = {
          status: q.status,
          operationType: q.operation_type,
          organizationId: q.organization_id,
          scheduleId: q.schedule_id,
        };
        ({ count, rows } = await listOperations(ctx.pool, principal, filters, page));
      }
      assertPageExists(page, count);
      if (q.update_status) rows = await refreshed(rows);
      return {
        count,
        ...pageLinks(req, ctx.config.PUBLIC_URL, page, count),
        results: rows.map(operationView),
      };
    },
  );

  r.post(
    OPERATIONS_PATH,
    {
      bodyLimit: routeBodyLimit(ctx.config.BODY_LIMIT_BYTES, ROUTE_BODY_BYTES.operation),
      schema: {
        operationId: "createOperation",
        summary: "Schedule an operation",
        description:
          'The configuration as the JSON body, as `{"data": "<JSON string>"}`, or as a form-encoded `data` field. With `dry_run: true` it answers 200 with what would run and creates nothing.',
        tags: ["operations"],
        body: {
          content: {
            "application/json": { schema: z.union([CreateOperationBody, CreateOperationEnvelope]) },
            "application/x-www-form-urlencoded": { schema: CreateOperationEnvelope },
          },
        },
        headers: z.looseObject({
          "idempotency-key": IdempotencyKey.optional().describe(
            "Makes the POST safe to repeat: the same key and body answer 200 with the original operation",
          ),
        }),
        response: {
          200: z
            .union([OperationCreatedView, DryRunView])
            .describe(
              "Replay of an Idempotency-Key: the operation created first; or, with `dry_run: true`, what would run (nothing is created)",
            ),
          201: OperationCreatedView.describe("The operation, scheduled"),
          ...createErrorResponses,
          ...conflictResponse("The Idempotency-Key was used for a different request"),
        },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const body = parseOr422(CheckedCreateOperationBody, unwrapDataBody(req.body as unknown));
      requireOrganizations(
        principal,
        body.target_organizations.map((id, i) => ({ id, path: `target_organizations.${i}` })),
      );
      if (body.dry_run) {
        const request = normalizeRequest(body, new Date());
        const deps = {
          db: ctx.pool,
          addressProblem: ctx.addressProblem,
          defaultDevicesPerMinute: ctx.config.DEFAULT_DEVICES_PER_MINUTE,
        };
        return reply.code(200).send(await dryRun(deps, request, new Date(request.schedule.execute_at)));
      }
      const key = req.headers["idempotency-key"];
      const { row, created } = await createOperation(
        {
          pool: ctx.pool,
          natsPrefix: ctx.config.NATS_PREFIX,
          defaultDevicesPerMinute: ctx.config.DEFAULT_DEVICES_PER_MINUTE,
        },
        principal,
        body,
        typeof key === "string" ? key : undefined,
      );
      if (created) {
        req.log.info({ operationId: row.id, targets: row.target_device_count }, "operation created");
        ctx.relay?.wake();
      }
      return reply.code(created ? 201 : 200).send(operationCreatedView(row));
    },
  );
}
