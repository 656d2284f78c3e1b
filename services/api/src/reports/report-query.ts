import type { Readable } from "node:stream";
import type pg from "pg";
import QueryStream from "pg-query-stream";

/** One device of an operation's report, as the cursor yields it. */
export type ReportRow = {
  organization_id: string;
  organization: string | null;
  device_id: string;
  hostname: string | null;
  device_type: string | null;
  mgmt_address: string | null;
  status: string;
  error_code: string | null;
  error_message: string | null;
  observed_serial: string | null;
  observed_model: string | null;
  observed_vendor: string | null;
  observed_firmware: string | null;
  recorded_serial: string | null;
  recorded_model: string | null;
  recorded_vendor: string | null;
  recorded_firmware: string | null;
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  /**
   * Filled for compliance_report operations; null otherwise. The verdict the fold stored in the ledger
   * (`observed.compliance`, judged with the frozen baselines), else judged by report-compliance.ts.
   */
  compliance: string | null;
  compliance_rule: string | null;
  compliance_observed: string | null;
  compliance_required: string | null;
};

/** The column order of every format: the CSV header is exactly this list. */
export const REPORT_COLUMNS: readonly (keyof ReportRow)[] = [
  "organization_id",
  "organization",
  "device_id",
  "hostname",
  "device_type",
  "mgmt_address",
  "status",
  "error_code",
  "error_message",
  "observed_serial",
  "observed_model",
  "observed_vendor",
  "observed_firmware",
  "recorded_serial",
  "recorded_model",
  "recorded_vendor",
  "recorded_firmware",
  "attempts",
  "started_at",
  "finished_at",
  "duration_ms",
  "compliance",
  "compliance_rule",
  "compliance_observed",
  "compliance_required",
];

/*
 * Timestamps are formatted by Postgres (ISO 8601, UTC, millisecond precision) so a row needs no
 * per-row Date work in Node. Pending rows at or below the fan-out cursor render as `dispatched`,
 * as the per-device list does. The primary key (operation_id, device_id) serves the order.
 */
const REPORT_SQL = `
SELECT d.organization_id::text AS organization_id, o.name AS organization, od.device_id::text AS device_id,
       d.hostname, d.device_type, d.mgmt_address,
       CASE WHEN od.status = 'pending' AND od.device_id <= coalesce($2::bigint, 0)
            THEN 'dispatched' ELSE od.status END AS status,
       od.error_code, od.error_message,
       od.observed->>'serial' AS observed_serial, od.observed->>'model' AS observed_model,
       od.observed->>'vendor' AS observed_vendor, od.observed->>'firmware' AS observed_firmware,
       d.serial AS recorded_serial, d.model AS recorded_model,
       d.vendor AS recorded_vendor, d.firmware AS recorded_firmware,
       od.attempts::int AS attempts,
       to_char(od.started_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS started_at,
       to_char(od.finished_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS finished_at,
       (extract(epoch FROM od.finished_at - od.started_at) * 1000)::bigint::int AS duration_ms,
       od.observed->'compliance'->>'verdict' AS compliance, od.observed->'compliance'->>'rule' AS compliance_rule,
       od.observed->'compliance'->>'observed' AS compliance_observed,
       od.observed->'compliance'->>'required' AS compliance_required
  FROM operation_devices od
  LEFT JOIN devices d ON d.id = od.device_id
  LEFT JOIN organizations o ON o.id = d.organization_id
 WHERE od.operation_id = $1
 ORDER BY od.device_id`;

/*
 * A portal is planned for its total cost: over a whole ledger that is a hash join and a sort, and
 * nothing flows until both finish (seconds at 100k devices). The report wants the first rows at once,
 * so its read-only transaction turns those off: the primary key gives the order, and each device and
 * organization is an index lookup. SET LOCAL ends with the transaction.
 */
const FAST_START = `BEGIN READ ONLY;
SET LOCAL enable_sort = off; SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off`;

/** Rows fetched per round trip: small enough for constant memory, large enough for throughput. */
const BATCH_ROWS = 1000;

/**
 * The operation's devices as an object stream read through a server-side cursor, so memory stays
 * constant whatever the fleet size. The pooled connection is held for the stream's life and released
 * when it ends, fails or is destroyed (a client that hangs up).
 */
export async function openReportStream(
  pool: pg.Pool,
  op: { id: string; fanout_cursor: string | null },
): Promise<Readable> {
  const client = await pool.connect();
  try {
    await client.query(FAST_START);
  } catch (err) {
    client.release(err as Error);
    throw err;
  }
  const query = new QueryStream(REPORT_SQL, [op.id, op.fanout_cursor], {
    batchSize: BATCH_ROWS,
    highWaterMark: BATCH_ROWS,
  });
  const stream = client.query(query);
  let released = false;
  const release = (err?: Error) => {
    if (released) return;
    released = true;
    if (err || !stream.readableEnded) {
      // A connection left mid-cursor is not reusable: destroy it rather than return it to the pool.
      client.release(err ?? new Error("report stream closed early"));
      return;
    }
    client.query("COMMIT").then(
      () => client.release(),
      (e: Error) => client.release(e),
    );
  };
  stream.once("close", () => release());
  stream.once("error", (err: Error) => release(err));
  return stream as unknown as Readable;
}
