import {
  DeviceResultsQuery,
  OperationCreatedView,
  OperationView,
  PaginatedDeviceResults,
} from "@headless-ops/contracts";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, requireWriter } from "../auth.js";
import { ROUTE_BODY_BYTES, routeBodyLimit } from "../body-limits.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { cancelOperation } from "../operations/cancel.js";
import { listDeviceResults } from "../operations/device-results.js";
import { OPERATIONS_PATH, operationCreatedView, operationView } from "../operations/operation-view.js";
import { findOperation } from "../operations/query.js";
import { retryOperation } from "../operations/retry.js";
import { assertPageExists, pageOf as pageFrom, pageLinks } from "../pagination.js";
import { conflictResponse, readErrorResponses, writeErrorResponses } from "./responses.js";

const Params = z.object({ id: z.string().max(32) });

/** Per-device results, cancel and retry of one operation. */
export function operationActionRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    `${OPERATIONS_PATH}:id/devices/`,
    {
      schema: {
        operationId: "listOperationDevices",
        summary: "Per-device results of an operation",
        tags: ["operations"],
        params: Params,
        querystring: DeviceResultsQuery,
        response: {
          200: PaginatedDeviceResults.describe("A page of per-device results"),
          ...readErrorResponses,
        },
      },
    },
    async (req) => {
      const op = await findOperation(ctx.pool, principalOf(req), req.params.id);
      if (!op) throw notFound();
      const page = pageFrom(req.query);
      const filters = { status: req.query.status, errorCode: req.query.error_code };
      const { count, results } = await listDeviceResults(ctx.pool, op, filters, page);
      assertPageExists(page, count);
      return { count, ...pageLinks(req, ctx.config.PUBLIC_URL, page, count), results };
    },
  );

  r.post(
    `${OPERATIONS_PATH}:id/cancel`,
    {
      bodyLimit: routeBodyLimit(ctx.config.BODY_LIMIT_BYTES, ROUTE_BODY_BYTES.action),
      schema: {
        operationId: "cancelOperation",
        summary: "Cancel an operation",
        description:
          "Scheduled: cancelled at once. In progress: dispatching stops, undispatched devices are cancelled, and it ends `cancelled` when in-flight probes finish. 409 if it already ended.",
        tags: ["operations"],
        params: Params,
        response: {
          200: OperationView.describe("The operation, cancelled or cancelling"),
          ...writeErrorResponses,
          ...conflictResponse("The operation has already ended"),
        },
      },
    },
    async (req) => {
      const principal = requireWriter(req);
      const row = await cancelOperation(ctx.pool, ctx.config.NATS_PREFIX, principal, req.params.id);
      req.log.info({ operationId: row.id, status: row.status }, "operation cancel requested");
      ctx.relay?.wake();
      return operationView(row);
    },
  );

  r.post(
    `${OPERATIONS_PATH}:id/retry`,
    {
      bodyLimit: routeBodyLimit(ctx.config.BODY_LIMIT_BYTES, ROUTE_BODY_BYTES.action),
      schema: {
        operationId: "retryOperation",
        summary: "Retry the failed devices of a finished operation",
        description:
          "Creates a new operation (due now) over exactly the devices that failed; `retry_of` names the original.",
        tags: ["operations"],
        params: Params,
        response: {
          201: OperationCreatedView.describe("The new operation over the failed devices"),
          ...writeErrorResponses,
          ...conflictResponse("The operation has not finished, or no device of it failed"),
        },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const row = await retryOperation(
        {
          pool: ctx.pool,
          natsPrefix: ctx.config.NATS_PREFIX,
          defaultDevicesPerMinute: ctx.config.DEFAULT_DEVICES_PER_MINUTE,
        },
        principal,
        req.params.id,
      );
      req.log.info(
        { operationId: row.id, retryOf: row.retry_of, targets: row.target_device_count },
        "retry created",
      );
      ctx.relay?.wake();
      return reply.code(201).send(operationCreatedView(row));
    },
  );
}
