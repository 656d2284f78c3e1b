import {
  DEVICE_BATCH_MAX,
  DeviceBatch,
  DeviceInput,
  DeviceListQuery,
  DevicePatch,
  DeviceView,
  PaginatedDevices,
} from "@headless-ops/contracts";
import { PG_UNIQUE_VIOLATION, pgErrorCode, withTransaction } from "@headless-ops/db";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf, requireWriter } from "../auth.js";
import { ROUTE_BODY_BYTES, routeBodyLimit } from "../body-limits.js";
import type { AppContext } from "../context.js";
import { prepareBatch } from "../devices/device-batch.js";
import { deleteDevice, findDevice, insertDevices, listDevices } from "../devices/device-repository.js";
import { patchDevice } from "../devices/device-update.js";
import { deviceView } from "../devices/device-view.js";
import { badRequest, conflict, notFound, unprocessable } from "../errors.js";
import { assertPageExists, pageOf as pageFrom, pageLinks } from "../pagination.js";
import {
  conflictResponse,
  createErrorResponses,
  listErrorResponses,
  noContent,
  readErrorResponses,
  writeErrorResponses,
} from "./responses.js";

export const DEVICES_PATH = "/api/v1/devices/";
const Params = z.object({ id: z.string().max(32) });

/** Device inventory: list, create one or a batch, get, patch, delete. */
export function deviceRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();

  r.get(
    DEVICES_PATH,
    {
      schema: {
        operationId: "listDevices",
        summary: "List devices",
        tags: ["devices"],
        querystring: DeviceListQuery,
        response: { 200: PaginatedDevices.describe("A page of devices"), ...listErrorResponses },
      },
    },
    async (req) => {
      const q = req.query;
      const page = pageFrom(q);
      const filters = {
        organizationId: q.organization_id,
        deviceType: q.device_type,
        status: q.status,
        driver: q.driver,
        hostname: q.hostname,
      };
      const { count, rows } = await listDevices(ctx.pool, principalOf(req), filters, page);
      assertPageExists(page, count);
      return { count, ...pageLinks(req, ctx.config.PUBLIC_URL, page, count), results: rows.map(deviceView) };
    },
  );

  r.post(
    DEVICES_PATH,
    {
      bodyLimit: routeBodyLimit(ctx.config.BODY_LIMIT_BYTES, ROUTE_BODY_BYTES.deviceBatch),
      config: { maxItems: DEVICE_BATCH_MAX },
      schema: {
        operationId: "createDevices",
        summary: "Register one device, or a batch (a JSON array, all or nothing)",
        tags: ["devices"],
        body: z.union([DeviceInput, z.array(DeviceInput).min(1).max(DEVICE_BATCH_MAX)]),
        response: {
          201: z
            .union([DeviceView, DeviceBatch])
            .describe("The device (for one object) or the batch (for an array), created"),
          ...createErrorResponses,
          ...conflictResponse("A device with this hostname already exists"),
        },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const body = req.body as unknown;
      if (body === undefined || body === null) throw badRequest("A request body is required.");
      const batch = Array.isArray(body);
      const items = batch ? body : [body];
      if (batch && (items.length === 0 || items.length > DEVICE_BATCH_MAX)) {
        throw unprocessable([{ path: "(body)", message: `a batch holds 1 to ${DEVICE_BATCH_MAX} devices` }]);
      }
      const label = batch ? (i: number) => String(i) : () => "";
      const records = await prepareBatch(ctx.pool, principal, ctx.sealer, ctx.addressProblem, items, (i) =>
        label(i),
      );
      const { rows } = await withTransaction(ctx.pool, (client) => insertDevices(client, records)).catch(
        (err) => {
          if (pgErrorCode(err) === PG_UNIQUE_VIOLATION)
            throw conflict("A device with this hostname already exists.");
          throw err;
        },
      );
      req.log.info({ devices: rows.length }, "devices created");
      const views = rows.map(deviceView);
      return reply.code(201).send(batch ? { count: views.length, results: views } : (views[0] as DeviceView));
    },
  );

  r.get(
    `${DEVICES_PATH}:id`,
    {
      schema: {
        operationId: "getDevice",
        summary: "Get a device",
        tags: ["devices"],
        params: Params,
        response: { 200: DeviceView.describe("The device"), ...readErrorResponses },
      },
    },
    async (req) => {
      const row = await findDevice(ctx.pool, principalOf(req), req.params.id);
      if (!row) throw notFound();
      return deviceView(row);
    },
  );

  r.patch(
    `${DEVICES_PATH}:id`,
    {
      bodyLimit: routeBodyLimit(ctx.config.BODY_LIMIT_BYTES, ROUTE_BODY_BYTES.devicePatch),
      schema: {
        operationId: "updateDevice",
        summary: "Update a device (null clears a field; credentials are replaced, or removed with null)",
        tags: ["devices"],
        params: Params,
        body: DevicePatch,
        response: {
          200: DeviceView.describe("The device, updated"),
          ...writeErrorResponses,
          ...conflictResponse("A device with this hostname already exists"),
        },
      },
    },
    async (req) => {
      const row = await patchDevice(ctx, requireWriter(req), req.params.id, req.body as unknown);
      return deviceView(row);
    },
  );

  r.delete(
    `${DEVICES_PATH}:id`,
    {
      schema: {
        operationId: "deleteDevice",
        summary: "Delete a device",
        tags: ["devices"],
        params: Params,
        response: { 204: noContent("Deleted; no body"), ...writeErrorResponses },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const existing = await findDevice(ctx.pool, principal, req.params.id);
      if (!existing) throw notFound();
      await deleteDevice(ctx.pool, existing.id);
      req.log.info({ deviceId: existing.id }, "device deleted");
      return reply.code(204).send();
    },
  );
}
