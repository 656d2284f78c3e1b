import { Readable, type Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { formatApiError, networkError } from "./api-error.js";
import type { CliContext } from "./cli-context.js";
import { CliError } from "./cli-error.js";

export const REPORT_FORMATS = ["csv", "ndjson", "json"] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

const OPS = "/api/v1/inventory_device_serial_headless_operation/";

/** The report's URL: the id is checked here so it cannot change the path. */
export function reportUrl(baseUrl: string, id: string, format: ReportFormat): URL {
  if (!/^\d{1,19}$/.test(id)) throw new CliError(`operation id must be a number, got "${id}"`);
  const url = new URL(`${OPS}${id}/report`, `${baseUrl.replace(/\/+$/, "")}/`);
  url.searchParams.set("format", format);
  return url;
}

/** A reader that closed the pipe (`| head`) wanted no more; that is not an error. */
const closedByReader = (err: unknown) =>
  (err as NodeJS.ErrnoException)?.code === "EPIPE" ||
  (err as NodeJS.ErrnoException)?.code === "ERR_STREAM_PREMATURE_CLOSE";

/**
 * `ops report ID`: `GET …/{id}/report?format=…` piped to `out` as the bytes arrive, never held whole
 * (a million-device report passes in constant memory, and `> out.csv` is exactly what the API sent).
 * An error answer is read (it is small) and becomes a CliError with the API's message.
 */
export async function downloadReport(
  ctx: Pick<CliContext, "config">,
  id: string,
  format: ReportFormat,
  out: Writable = process.stdout,
): Promise<void> {
  const url = reportUrl(ctx.config.url, id, format);
  let res: Response;
  try {
    res = await fetch(url, { headers: { authorization: `Bearer ${ctx.config.token}` } });
  } catch (err) {
    throw networkError(ctx.config.url, err);
  }
  if (!res.ok || !res.body) {
    const text = await res.text().catch(() => "");
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // not the JSON error shape: show the text
    }
    const what = res.status === 404 ? `operation ${id} not found (or not visible to this token)\n` : "";
    throw new CliError(`${what}${formatApiError(res.status, body)}`, undefined, { status: res.status });
  }
  try {
    await pipeline(Readable.fromWeb(res.body as never), out, { end: out !== process.stdout });
  } catch (err) {
    if (closedByReader(err)) return;
    throw new CliError(`the report stream broke off: ${(err as Error).message}`, undefined, { cause: err });
  }
}
