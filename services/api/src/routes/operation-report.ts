import { pipeline } from "node:stream";
import type { FastifyInstance } from "fastify";
import type { ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { principalOf } from "../auth.js";
import type { AppContext } from "../context.js";
import { notFound } from "../errors.js";
import { OPERATIONS_PATH } from "../operations/operation-view.js";
import { findOperation } from "../operations/query.js";
import { complianceStage, loadBaselines } from "../reports/report-compliance.js";
import {
  REPORT_FORMATS,
  REPORT_MEDIA_TYPES,
  reportFormatOf,
  reportSerializer,
} from "../reports/report-format.js";
import { openReportStream } from "../reports/report-query.js";
import { ReportJson } from "../reports/report-schema.js";
import { readErrorResponses } from "./responses.js";

const Params = z.object({ id: z.string().max(32) });
const Query = z.strictObject({
  format: z
    .enum(REPORT_FORMATS)
    .optional()
    .describe(
      "csv, ndjson or json; without it the Accept header decides (text/csv, application/x-ndjson), else JSON",
    ),
});

const CsvReport = z.string().meta({
  description:
    "RFC 4180 CSV with a header line; the columns of ReportRow in order. A cell starting with =, +, -, @, tab or CR is prefixed with ' so a spreadsheet shows it as text.",
});
const NdjsonReport = z.string().meta({ description: "One ReportRow JSON object per line" });

/** `GET …/{id}/report`: one row per device, streamed from a database cursor. */
export function operationReportRoutes(app: FastifyInstance, ctx: AppContext): void {
  const r = app.withTypeProvider<ZodTypeProvider>();
  r.get(
    `${OPERATIONS_PATH}:id/report`,
    {
      schema: {
        operationId: "getOperationReport",
        summary: "Per-device report of an operation (CSV, NDJSON or JSON)",
        description:
          "Streamed in device order from a database cursor (constant memory whatever the fleet). Visible under the same tenancy as the operation's GET.",
        tags: ["operations"],
        params: Params,
        querystring: Query,
        response: {
          200: {
            description: "The report",
            content: {
              "application/json": { schema: ReportJson },
              "text/csv": { schema: CsvReport },
              "application/x-ndjson": { schema: NdjsonReport },
            },
          },
          ...readErrorResponses,
        },
      },
    },
    async (req, reply) => {
      const op = await findOperation(ctx.pool, principalOf(req), req.params.id);
      if (!op) throw notFound();
      const format = reportFormatOf(req.query.format, req.headers.accept);
      const baselines =
        op.operation_type === "compliance_report" ? await loadBaselines(ctx.pool, op) : undefined;
      const rows = await openReportStream(ctx.pool, op);
      const stages = baselines ? [complianceStage(baselines)] : [];
      const body = pipeline([rows, ...stages, reportSerializer(format, op.id)], (err) => {
        if (err && err.code !== "ERR_STREAM_PREMATURE_CLOSE") {
          req.log.error({ err, operationId: op.id }, "report stream failed");
        }
      });
      req.log.info({ operationId: op.id, format }, "report streamed");
      reply.header("content-type", REPORT_MEDIA_TYPES[format]);
      if (format === "csv") {
        reply.header("content-disposition", `attachment; filename="operation-${op.id}.csv"`);
      }
      // A stream bypasses the serializer; the document describes what it writes.
      return reply.send(body as never);
    },
  );
}
