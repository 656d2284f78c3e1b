import { Readable } from "node:stream";
import { DEVICE_IMPORT_MAX, DeviceImportResult } from "@headless-ops/contracts";
import { PG_UNIQUE_VIOLATION, pgErrorCode, withTransaction } from "@headless-ops/db";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { requireWriter } from "../auth.js";
import { byteLimit, ROUTE_BODY_BYTES, routeBodyLimit, tooLarge } from "../body-limits.js";
import type { AppContext } from "../context.js";
import { readDeviceCsv } from "../devices/csv.js";
import { prepareBatch } from "../devices/device-batch.js";
import { insertDevices } from "../devices/device-repository.js";
import { badRequest, conflict } from "../errors.js";
import { DEVICES_PATH } from "./devices.js";
import { conflictResponse, createErrorResponses } from "./responses.js";

const CsvBody = z.string().meta({
  description: `A header row, then up to ${DEVICE_IMPORT_MAX} device rows (UTF-8)`,
  examples: ["organization_id,hostname,device_type\n101,core-rtr-1,router\n"],
});

/**
 * Once a CSV is refused before its end, the rest is never parsed: the reader is detached, and what
 * the client still sends is discarded (lingering-close.ts) or the connection closes.
 */
function stopReading(req: FastifyRequest, reply: FastifyReply, body: Readable): void {
  if (req.raw.readableEnded) return;
  void reply.header("connection", "close");
  body.unpipe();
}

/**
 * `POST /devices/import`: a CSV with a header row; all rows or none, errors named by line. The body
 * reaches the handler as a stream (its own content-type parser, in its own scope) and is read row by
 * row up to the route's byte limit and DEVICE_IMPORT_MAX rows.
 */
export function deviceImportRoutes(app: FastifyInstance, ctx: AppContext): void {
  void app.register(async (scope) => {
    scope.addContentTypeParser(["text/csv", "application/csv"], (_req, payload, done) => {
      done(null, payload);
    });
    importRoute(scope, ctx);
  });
}

function importRoute(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.post(
    `${DEVICES_PATH}import`,
    {
      bodyLimit: routeBodyLimit(ctx.config.BODY_LIMIT_BYTES, ROUTE_BODY_BYTES.deviceImport),
      schema: {
        operationId: "importDevices",
        summary: "Import devices from CSV (text/csv)",
        description:
          "Columns: organization_id, hostname, device_type (required), status, mgmt_address, mgmt_port, driver, snmp_version, community, snmp_user, security_level, auth_protocol, auth_key, priv_protocol, priv_key, serial, model, vendor, firmware, sim_latency_ms, sim_fail_rate, sim_fail_code. Errors name the CSV line: `line 4.hostname`.",
        tags: ["devices"],
        body: {
          content: {
            "text/csv": { schema: CsvBody },
            "application/csv": { schema: CsvBody },
          },
        },
        response: {
          201: DeviceImportResult.describe("Every row imported"),
          ...createErrorResponses,
          ...conflictResponse("A device with this hostname already exists"),
        },
      },
    },
    async (req, reply) => {
      const principal = requireWriter(req);
      const body = req.body as unknown;
      if (!(body instanceof Readable)) throw badRequest("Send the CSV with Content-Type: text/csv.");
      const limit = req.routeOptions.bodyLimit;
      const rows = await (async () => {
        if (Number(req.headers["content-length"] ?? 0) > limit) throw tooLarge();
        return readDeviceCsv(body.pipe(byteLimit(limit)), DEVICE_IMPORT_MAX);
      })().catch((err: unknown) => {
        stopReading(req, reply, body);
        throw err;
      });
      const records = await prepareBatch(
        ctx.pool,
        principal,
        ctx.sealer,
        ctx.addressProblem,
        rows.map((row) => row.device),
        (i) => `line ${rows[i]?.line ?? "?"}`,
      );
      const { count } = await withTransaction(ctx.pool, (client) =>
        insertDevices(client, records, { returnRows: false }),
      ).catch((err) => {
        if (pgErrorCode(err) === PG_UNIQUE_VIOLATION)
          throw conflict("A device with this hostname already exists.");
        throw err;
      });
      req.log.info({ devices: count }, "devices imported");
      return reply.code(201).send({ created: count });
    },
  );
}
