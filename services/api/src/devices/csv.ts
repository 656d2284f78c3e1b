import { Readable, Transform, type TransformCallback } from "node:stream";
import { setImmediate } from "node:timers/promises";
import {
  DEVICE_CSV_COLUMNS,
  type DeviceCsvColumn,
  type FieldError,
  REQUIRED_DEVICE_CSV_COLUMNS,
} from "@headless-ops/contracts";
import { parse } from "csv-parse";
import { badRequest, HttpError, unprocessable } from "../errors.js";
import { NUL_MESSAGE } from "../input-guard.js";

type Column = DeviceCsvColumn;
type Cells = Partial<Record<Column, string>>;

/** One data row: its line in the file and the device object it describes (validated later). */
export type CsvDevice = { line: number; device: Record<string, unknown> };

const num = (v: string | undefined) =>
  v === undefined ? undefined : /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;

function credentialsOf(c: Cells): Record<string, unknown> | undefined {
  if (!c.snmp_version) return undefined;
  if (c.snmp_version === "v2c") return { version: "v2c", community: c.community };
  return {
    version: c.snmp_version,
    user: c.snmp_user,
    security_level: c.security_level,
    auth_protocol: c.auth_protocol,
    auth_key: c.auth_key,
    priv_protocol: c.priv_protocol,
    priv_key: c.priv_key,
  };
}

function simOf(c: Cells): Record<string, unknown> | undefined {
  if (c.sim_latency_ms === undefined && c.sim_fail_rate === undefined && c.sim_fail_code === undefined) {
    return undefined;
  }
  return { latency_ms: num(c.sim_latency_ms), fail_rate: num(c.sim_fail_rate), fail_code: c.sim_fail_code };
}

/** A CSV row as the same object `POST /devices/` takes, so one schema validates both. */
function deviceOf(c: Cells): Record<string, unknown> {
  const device: Record<string, unknown> = {
    organization_id: num(c.organization_id),
    hostname: c.hostname,
    device_type: c.device_type,
    status: c.status,
    mgmt_address: c.mgmt_address,
    mgmt_port: num(c.mgmt_port),
    driver: c.driver,
    credentials: credentialsOf(c),
    sim: simOf(c),
    serial: c.serial,
    model: c.model,
    vendor: c.vendor,
    firmware: c.firmware,
  };
  return Object.fromEntries(Object.entries(device).filter(([, v]) => v !== undefined));
}

/**
 * What csv-parse found, in our words: its own messages quote the cell ("value is \"…\""), and a cell
 * may be a community or a key, which must never come back in a response.
 */
const PARSE_PROBLEMS: Record<string, string> = {
  INVALID_OPENING_QUOTE: "a quote inside an unquoted field (quote the whole field and double inner quotes)",
  CSV_INVALID_CLOSING_QUOTE: "a closing quote followed by something other than a delimiter",
  CSV_QUOTE_NOT_CLOSED: "a quoted field is never closed",
  CSV_RECORD_INCONSISTENT_FIELDS_LENGTH: "the row does not have as many fields as the header",
  CSV_RECORD_INCONSISTENT_COLUMNS: "the row does not have as many fields as the header",
  CSV_INVALID_ARGUMENT: "invalid CSV",
  CSV_MAX_RECORD_SIZE: "a record longer than 16384 characters",
};

/** The longest CSV record (header or row) taken, in characters: a real row is a few hundred (PARSE_PROBLEMS names it). */
export const CSV_MAX_RECORD_CHARS = 16 * 1024;

/** Bytes handed to the parser per turn of the event loop (a few hundred short records at most). */
const PIECE_BYTES = 2 * 1024;

/**
 * csv-parse parses each written chunk to its end in one go: a 64 KiB socket read of one-cell rows
 * is thousands of records. Pieces of PIECE_BYTES, one per turn, keep the event loop (and /healthz)
 * answering, and let a refusal stop after the piece that holds the bad record.
 */
function paced(raw?: Buffer[]): Transform {
  return new Transform({
    async transform(chunk: Buffer, _encoding: BufferEncoding, done: TransformCallback) {
      raw?.push(chunk);
      for (let at = 0; at < chunk.length; at += PIECE_BYTES) {
        this.push(chunk.subarray(at, at + PIECE_BYTES));
        await setImmediate();
      }
      done();
    },
  });
}

type Parsed = { record: string[]; info: { lines: number } };

/** Header names as columns; unknown or missing columns are a 422 before any row is read. */
function headerColumns(record: string[]): Column[] {
  const names = record.map((h) => h.toLowerCase());
  const errors: FieldError[] = names.flatMap((name) =>
    (DEVICE_CSV_COLUMNS as readonly string[]).includes(name)
      ? []
      : [{ path: `header.${name}`, message: "unknown column" }],
  );
  for (const required of REQUIRED_DEVICE_CSV_COLUMNS) {
    if (!names.includes(required))
      errors.push({ path: `header.${required}`, message: "required column missing" });
  }
  if (errors.length > 0) throw unprocessable(errors, "Invalid CSV header.");
  return names as Column[];
}

function cellsOf(names: readonly Column[], record: readonly string[]): Cells {
  const cells: Cells = {};
  names.forEach((name, i) => {
    const value = record[i];
    if (value !== undefined && value !== "") cells[name] = value;
  });
  return cells;
}

/** A csv-parse error in our words, naming the line (never the cell). */
function parseProblem(err: unknown): HttpError {
  if (err instanceof HttpError) return err;
  const { lines: line, code } = err as { lines?: number; code?: string };
  return badRequest("The CSV could not be parsed.", [
    { path: line ? `line ${line}` : "(body)", message: PARSE_PROBLEMS[code ?? ""] ?? "invalid CSV" },
  ]);
}

type Scanned = { names: Column[]; records: string[][]; lines: number[] };

/**
 * One streamed pass over a device CSV: the header is checked before any row, and the row past
 * `maxRows` (or an over-long record, or a NUL) ends the read. `keep` keeps the records (second
 * pass); `raw` collects the bytes read (first pass).
 */
async function scan(input: Readable, maxRows: number, keep: boolean, raw?: Buffer[]): Promise<Scanned> {
  const parser = parse({
    info: true,
    skip_empty_lines: true,
    trim: true,
    bom: true,
    max_record_size: CSV_MAX_RECORD_CHARS,
  });
  const pacer = paced(raw);
  const forward = (err: Error) => parser.destroy(err);
  input.once("error", forward);
  input.pipe(pacer).pipe(parser);
  let names: Column[] | undefined;
  let rows = 0;
  const records: string[][] = [];
  const lines: number[] = [];
  try {
    for await (const { record, info } of parser as AsyncIterable<Parsed>) {
      if (record.some((cell) => cell.includes("\u0000"))) {
        throw unprocessable([{ path: `line ${info.lines}`, message: NUL_MESSAGE }]);
      }
      if (!names) {
        names = headerColumns(record);
        continue;
      }
      rows += 1;
      if (rows > maxRows) {
        throw unprocessable(
          [{ path: `line ${info.lines}`, message: `at most ${maxRows} rows per import` }],
          "Too many rows; nothing was created.",
        );
      }
      if (keep) {
        records.push(record);
        lines.push(info.lines);
      }
    }
  } catch (err) {
    throw parseProblem(err);
  } finally {
    input.off("error", forward);
    input.unpipe(pacer);
    pacer.destroy();
    parser.destroy();
  }
  if (!names) throw badRequest("The CSV is empty; it needs a header row.");
  return { names, records, lines };
}

/**
 * Reads a device CSV with a header row as a stream and stops reading at the first problem, so a
 * hostile body costs what its first bad record costs. Two passes: the first checks the whole body
 * keeping only its raw bytes (a refused body never holds parsed records, which weigh ~10 times its
 * bytes), the second parses those bytes into devices. Broken CSV is a 400 naming the line; unknown
 * or missing columns, too many rows or a NUL a 422. Empty cells mean "not given". Credential cells
 * are never echoed in errors. Errors of `input` (a body limit) are rethrown.
 */
export async function readDeviceCsv(input: Readable, maxRows: number): Promise<CsvDevice[]> {
  const raw: Buffer[] = [];
  await scan(input, maxRows, false, raw);
  const { names, records, lines } = await scan(Readable.from(raw), maxRows, true);
  return records.map((record, i) => ({ line: lines[i] ?? 0, device: deviceOf(cellsOf(names, record)) }));
}
