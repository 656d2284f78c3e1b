import {
  DEVICE_CSV_COLUMNS,
  type DeviceCsvColumn,
  type FieldError,
  REQUIRED_DEVICE_CSV_COLUMNS,
} from "@headless-ops/contracts";
import { parse } from "csv-parse/sync";
import { badRequest, unprocessable } from "../errors.js";

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
};

/**
 * Parses a device CSV with a header row. Broken CSV is a 400 naming the line; unknown or missing
 * columns a 422. Empty cells mean "not given". Credential cells are never echoed in errors.
 */
export function parseDeviceCsv(text: string, maxRows: number): CsvDevice[] {
  let rows: { record: string[]; info: { lines: number } }[];
  try {
    rows = parse(text, {
      info: true,
      skip_empty_lines: true,
      trim: true,
      bom: true,
    }) as unknown as typeof rows;
  } catch (err) {
    const { lines: line, code } = err as { lines?: number; code?: string };
    throw badRequest("The CSV could not be parsed.", [
      { path: line ? `line ${line}` : "(body)", message: PARSE_PROBLEMS[code ?? ""] ?? "invalid CSV" },
    ]);
  }
  const [header, ...data] = rows;
  if (!header) throw badRequest("The CSV is empty; it needs a header row.");
  const names = header.record.map((h) => h.toLowerCase());
  const errors: FieldError[] = names.flatMap((name) =>
    (DEVICE_CSV_COLUMNS as readonly string[]).includes(name)
      ? []
      : [{ path: `header.${name}`, message: "unknown column" }],
  );
  for (const required of REQUIRED_DEVICE_CSV_COLUMNS) {
    if (!names.includes(required))
      errors.push({ path: `header.${required}`, message: "required column missing" });
  }
  if (data.length > maxRows) errors.push({ path: "(body)", message: `at most ${maxRows} rows per import` });
  if (errors.length > 0) throw unprocessable(errors, "Invalid CSV header.");
  return data.map(({ record, info }) => {
    const cells: Cells = {};
    names.forEach((name, i) => {
      const value = record[i];
      if (value !== undefined && value !== "") cells[name as Column] = value;
    });
    return { line: info.lines, device: deviceOf(cells) };
  });
}
