import type { Queryable } from "../queryable.js";
import { finalizeOperations } from "../status/finalize.js";

/** One device result to fold (flattened from a DeviceResultBatch). */
export type FoldRow = {
  operationId: string;
  deviceId: string;
  outcome: "succeeded" | "failed" | "cancelled";
  errorCode: string | null;
  errorMessage: string | null;
  /** JSON text of the observed values, or null. */
  observed: string | null;
  attempts: number;
  /** Epoch milliseconds (cheaper for Postgres than parsing timestamp text per row). */
  startedAt: number;
  finishedAt: number;
};

export type FoldOutcome = {
  /** Ledger rows that moved to a terminal state, per operation. */
  movedByOperation: Map<string, number>;
  moved: number;
  /** Operations that ended in this fold, with their final status. */
  finished: { id: string; status: string }[];
};

/*
 * One statement, set-based over UNNEST arrays:
 *  - ledger rows move to terminal only from pending/dispatched (a duplicate changes nothing);
 *  - inventory_audit rows record the inventory serial and whether it differs (`serial_mismatch`);
 *  - devices: inventory per operation type, last probe outcome;
 *  - operations: counters, error_summary (+ `serial_mismatches`), progress and ETA moved by
 *    exactly the rows that moved. ETA uses the caller's recent rate (devices/s) when given,
 *    else the average rate since the operation started.
 */
const FOLD_SQL = `
WITH input AS (
  SELECT operation_id, device_id, outcome, error_code, error_message, observed, attempts,
         to_timestamp(started_ms / 1000.0) AS started_at, to_timestamp(finished_ms / 1000.0) AS finished_at
    FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::jsonb[],
                $7::int[], $8::float8[], $9::float8[])
      AS t(operation_id, device_id, outcome, error_code, error_message, observed, attempts, started_ms, finished_ms)
),
ops AS (
  SELECT o.id, o.operation_type,
         COALESCE((o.request->'options'->>'update_firmware_info')::boolean, false) AS fw
    FROM operations o WHERE o.id IN (SELECT DISTINCT operation_id FROM input)
),
moved AS (
  UPDATE operation_devices od SET
      status = i.outcome,
      attempts = GREATEST(od.attempts, i.attempts),
      error_code = i.error_code,
      error_message = i.error_message,
      observed = CASE
        WHEN rec.audited AND i.outcome = 'succeeded' AND i.observed IS NOT NULL
        THEN i.observed || jsonb_build_object('recorded_serial', rec.serial,
               'serial_mismatch', rec.serial IS NOT NULL AND (i.observed->>'serial') IS DISTINCT FROM rec.serial)
        ELSE i.observed END,
      started_at = i.started_at,
      finished_at = i.finished_at
    FROM input i JOIN ops ON ops.id = i.operation_id
         -- The recorded serial is read only for audits (a gated lookup, skipped for other types).
         LEFT JOIN LATERAL (
           SELECT true AS audited, d.serial FROM devices d
            WHERE d.id = i.device_id AND ops.operation_type = 'inventory_audit'
         ) rec ON true
   WHERE od.operation_id = i.operation_id AND od.device_id = i.device_id
     AND od.status IN ('pending', 'dispatched')
  RETURNING od.operation_id, od.device_id, od.status, od.error_code, od.observed, ops.operation_type, ops.fw
),
dev AS (
  UPDATE devices d SET
      serial = CASE WHEN m.operation_type = 'bulk_serial_sync' AND m.status = 'succeeded'
                    THEN COALESCE(m.observed->>'serial', d.serial) ELSE d.serial END,
      model = CASE WHEN m.operation_type = 'bulk_serial_sync' AND m.status = 'succeeded' AND m.fw
                   THEN COALESCE(m.observed->>'model', d.model) ELSE d.model END,
      vendor = CASE WHEN m.operation_type = 'bulk_serial_sync' AND m.status = 'succeeded' AND m.fw
                    THEN COALESCE(m.observed->>'vendor', d.vendor) ELSE d.vendor END,
      firmware = CASE WHEN m.operation_type = 'bulk_serial_sync' AND m.status = 'succeeded' AND m.fw
                      THEN COALESCE(m.observed->>'firmware', d.firmware) ELSE d.firmware END,
      status = CASE
        WHEN m.operation_type <> 'status_refresh' OR d.status NOT IN ('active', 'offline', 'pending') THEN d.status
        WHEN m.status = 'succeeded' THEN 'active'
        WHEN m.error_code IN ('unreachable', 'connection_timeouts') THEN 'offline'
        WHEN m.error_code IN ('authentication_failures', 'protocol_errors', 'serial_missing') THEN 'active'
        ELSE d.status END,
      last_seen = CASE WHEN m.status = 'succeeded' THEN now() ELSE d.last_seen END,
      last_probe_status = m.status,
      last_error_code = m.error_code,
      updated_at = now()
    FROM moved m
   WHERE d.id = m.device_id AND m.status <> 'cancelled'
  RETURNING d.id
),
counts AS (
  SELECT operation_id, count(*)::int AS processed, (count(*) FILTER (WHERE status = 'failed'))::int AS failed
    FROM moved GROUP BY operation_id
),
codes AS (
  SELECT operation_id, jsonb_object_agg(code, n) AS summary FROM (
    SELECT operation_id, error_code AS code, count(*) AS n FROM moved
     WHERE status = 'failed' AND error_code IS NOT NULL GROUP BY 1, 2
    UNION ALL
    SELECT operation_id, 'serial_mismatches', count(*) FROM moved
     WHERE (observed->>'serial_mismatch')::boolean GROUP BY 1
  ) x GROUP BY operation_id
),
rates AS (
  SELECT * FROM unnest($10::bigint[], $11::float8[]) AS r(operation_id, per_second)
),
upd AS (
  UPDATE operations o SET
      processed_devices = o.processed_devices + c.processed,
      failed_devices = o.failed_devices + c.failed,
      error_summary = CASE WHEN s.summary IS NULL THEN o.error_summary ELSE (
        SELECT jsonb_object_agg(k, COALESCE((o.error_summary->>k)::int, 0) + COALESCE((s.summary->>k)::int, 0))
          FROM (SELECT jsonb_object_keys(o.error_summary) UNION SELECT jsonb_object_keys(s.summary)) keys(k)
      ) END,
      progress = CASE WHEN o.total_devices > 0
        THEN LEAST(100, floor(100.0 * (o.processed_devices + c.processed) / o.total_devices))::smallint
        ELSE o.progress END,
      estimated_completion = CASE
        WHEN r.per_second > 0
          THEN now() + make_interval(secs => (o.total_devices - o.processed_devices - c.processed) / r.per_second)
        WHEN o.started_at IS NOT NULL AND o.processed_devices + c.processed > 0
          THEN now() + (now() - o.started_at)
               * ((o.total_devices - o.processed_devices - c.processed)::float8 / (o.processed_devices + c.processed))
        ELSE o.estimated_completion END,
      updated_at = now()
    FROM counts c LEFT JOIN codes s ON s.operation_id = c.operation_id
         LEFT JOIN rates r ON r.operation_id = c.operation_id
   WHERE o.id = c.operation_id
  RETURNING o.id
)
SELECT c.operation_id, c.processed, (SELECT count(*) FROM dev) AS devices, (SELECT count(*) FROM upd) AS ops
  FROM counts c`;

/**
 * Folds device results in the caller's transaction (it must be one: planner settings are SET LOCAL) and ends the operations that became complete
 * (finalizeOperations). Idempotent: results whose ledger row is already terminal change nothing.
 * `recentRates` (operation id → devices/s) feeds the ETA.
 */
export async function foldResults(
  client: Queryable,
  rows: readonly FoldRow[],
  recentRates: ReadonlyMap<string, number> = new Map(),
): Promise<FoldOutcome> {
  const n = rows.length;
  const cols = {
    op: new Array<string>(n),
    dev: new Array<string>(n),
    outcome: new Array<string>(n),
    code: new Array<string | null>(n),
    message: new Array<string | null>(n),
    observed: new Array<string | null>(n),
    attempts: new Array<number>(n),
    started: new Array<number>(n),
    finished: new Array<number>(n),
  };
  rows.forEach((r, i) => {
    cols.op[i] = r.operationId;
    cols.dev[i] = r.deviceId;
    cols.outcome[i] = r.outcome;
    cols.code[i] = r.errorCode;
    cols.message[i] = r.errorMessage;
    cols.observed[i] = r.observed;
    cols.attempts[i] = r.attempts;
    cols.started[i] = r.startedAt;
    cols.finished[i] = r.finishedAt;
  });
  // Every join here is a primary-key lookup per result. A new operation's ledger rows have no
  // statistics yet, and the planner then hashes a sequential scan of the whole ledger on every
  // fold (O(n²) over an operation). Transaction-local: the caller's transaction ends it.
  await client.query(
    "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off",
  );
  const rateIds = [...recentRates.keys()];
  const res = await client.query<{ operation_id: string; processed: number }>(FOLD_SQL, [
    cols.op,
    cols.dev,
    cols.outcome,
    cols.code,
    cols.message,
    cols.observed,
    cols.attempts,
    cols.started,
    cols.finished,
    rateIds,
    rateIds.map((id) => recentRates.get(id) ?? 0),
  ]);
  const movedByOperation = new Map<string, number>();
  let moved = 0;
  for (const row of res.rows) {
    movedByOperation.set(row.operation_id, row.processed);
    moved += row.processed;
  }
  const finished = await finalizeOperations(client, [...movedByOperation.keys()]);
  return { movedByOperation, moved, finished };
}
