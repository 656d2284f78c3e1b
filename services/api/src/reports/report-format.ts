import { Transform } from "node:stream";
import { stringify } from "csv-stringify";
import { REPORT_COLUMNS, type ReportRow } from "./report-query.js";

export const REPORT_FORMATS = ["csv", "ndjson", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

export const REPORT_MEDIA_TYPES: Record<ReportFormat, string> = {
  csv: "text/csv; charset=utf-8",
  ndjson: "application/x-ndjson",
  json: "application/json; charset=utf-8",
};

/** `?format=` wins; otherwise the Accept header picks CSV or NDJSON; JSON is the default. */
export function reportFormatOf(format: ReportFormat | undefined, accept: string | undefined): ReportFormat {
  if (format) return format;
  const a = (accept ?? "").toLowerCase();
  if (a.includes("text/csv")) return "csv";
  if (a.includes("application/x-ndjson")) return "ndjson";
  return "json";
}

/** Leading characters a spreadsheet would execute as a formula (CSV injection). */
const FORMULA_START = /^[=+\-@\t\r]/;

/** A cell a spreadsheet would execute gets a leading `'`, which makes it text. */
export function neutraliseCell(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** Quoting is csv-stringify's; neutralising formulas (which the writer does not do) is its string cast. */
function csvTransform(): Transform {
  return stringify({
    header: true,
    columns: [...REPORT_COLUMNS],
    record_delimiter: "\r\n",
    cast: { string: (value) => neutraliseCell(value) },
  });
}

function ndjsonTransform(): Transform {
  return new Transform({
    writableObjectMode: true,
    transform(row: ReportRow, _enc, done) {
      done(null, `${JSON.stringify(row)}\n`);
    },
  });
}

/** `{"operation_id": …, "results": [ … ]}`, written element by element. */
function jsonTransform(operationId: string): Transform {
  let first = true;
  const open = `{"operation_id":${JSON.stringify(operationId)},"results":[`;
  return new Transform({
    writableObjectMode: true,
    transform(row: ReportRow, _enc, done) {
      const head = first ? open : ",";
      first = false;
      done(null, head + JSON.stringify(row));
    },
    flush(done) {
      done(null, `${first ? open : ""}]}`);
    },
  });
}

/** The serialising stage for a format: object rows in, bytes out. */
export function reportSerializer(format: ReportFormat, operationId: string): Transform {
  if (format === "csv") return csvTransform();
  if (format === "ndjson") return ndjsonTransform();
  return jsonTransform(operationId);
}
