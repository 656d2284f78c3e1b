import type { Queryable } from "../queryable.js";
import { finalizeOperations } from "../status/finalize.js";
import { applyMovedRows } from "../status/moved-rows.js";
import { writeMilestoneEvents } from "../status/operation-events.js";
import { type OperationProgressRow, readOperationProgress } from "../status/operation-progress.js";
import { FrozenBaselineCache, judgeCompliance } from "./compliance-judge.js";

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

export type FoldOptions = {
  /**
   * DEVICE_LAST_SEEN_RESOLUTION_S: a successful probe moves `last_seen` only when the recorded one is
   * at least this old, so re-probing an unchanged device within it writes no device row. 0 (the
   * default) records every successful probe.
   */
  lastSeenResolutionS?: number;
  /** The frozen baselines of compliance_report operations, kept across folds (one per database). */
  frozen?: FrozenBaselineCache;
};

export type FoldOutcome = {
  /** Ledger rows that moved to a terminal state, per operation. */
  movedByOperation: Map<string, number>;
  moved: number;
  /** Operations that ended in this fold, with their final status. */
  finished: { id: string; status: string }[];
  /** The committed state of every operation the fold touched: the aggregator publishes it as progress. */
  progress: OperationProgressRow[];
};

const syncs = "m.operation_type = 'bulk_serial_sync' AND m.status = 'succeeded'";

/*
 * What a fold writes into a device row (column, value from the moved ledger row m and the device row d
 * as it is). The row is updated only when one of these differs from what it holds. `last_seen`
 * moves only once the recorded one is older than the resolution ($2 seconds, or in the future), so
 * an unchanged device probed again within it is not written at all.
 */
const deviceWrites: readonly (readonly [string, string])[] = [
  ["serial", `CASE WHEN ${syncs} THEN COALESCE(m.observed->>'serial', d.serial) ELSE d.serial END`],
  ["model", `CASE WHEN ${syncs} AND m.fw THEN COALESCE(m.observed->>'model', d.model) ELSE d.model END`],
  ["vendor", `CASE WHEN ${syncs} AND m.fw THEN COALESCE(m.observed->>'vendor', d.vendor) ELSE d.vendor END`],
  [
    "firmware",
    `CASE WHEN ${syncs} AND m.fw THEN COALESCE(m.observed->>'firmware', d.firmware) ELSE d.firmware END`,
  ],
  [
    "status",
    `CASE
        WHEN m.operation_type <> 'status_refresh' OR d.status NOT IN ('active', 'offline', 'pending') THEN d.status
        WHEN m.status = 'succeeded' THEN 'active'
        WHEN m.error_code IN ('unreachable', 'connection_timeouts') THEN 'offline'
        WHEN m.error_code IN ('authentication_failures', 'protocol_errors', 'serial_missing') THEN 'active'
        ELSE d.status END`,
  ],
  [
    "last_seen",
    `CASE WHEN m.status = 'succeeded' AND (d.last_seen IS NULL OR d.last_seen > now()
                 OR d.last_seen <= now() - make_interval(secs => $2::float8))
        THEN now() ELSE d.last_seen END`,
  ],
  ["last_probe_status", "m.status"],
  ["last_error_code", "m.error_code"],
];

/*
 * One statement, set-based over the batch given as one JSON array of rows (`batchJson`):
 *  - ledger rows move to terminal only from pending/dispatched (a duplicate changes nothing);
 *  - inventory_audit rows record the inventory serial and whether it differs (`serial_mismatch`);
 *  - devices: inventory per operation type, last probe outcome, written only where a value changes;
 *  - operations: counters, error_summary, compliance counters, progress and ETA by `applyMovedRows` (the shared rule),
 *    with the caller's recent rate feeding the ETA.
 */
const FOLD_SQL = `
WITH input AS (
  SELECT (e->>0)::bigint AS operation_id, (e->>1)::bigint AS device_id, e->>2 AS outcome,
         e->>3 AS error_code, e->>4 AS error_message, NULLIF(e->5, 'null'::jsonb) AS observed,
         (e->>6)::int AS attempts,
         to_timestamp((e->>7)::float8 / 1000.0) AS started_at, to_timestamp((e->>8)::float8 / 1000.0) AS finished_at
    FROM jsonb_array_elements($1::jsonb) AS e
),
-- Materialized: the operations of the batch once (one or a few rows), not one operations lookup
-- joined into every result row (2 of the fold's buffer hits per device).
ops AS MATERIALIZED (
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
         -- The recorded serial is read only for audits. OFFSET 0 keeps the subquery from being
         -- flattened into the join, so the type test is a one-time filter in front of the index scan;
         -- flattened, the devices lookup ran for every result of every type (3 of the fold's 35
         -- buffer hits per device) and the test was applied after it.
         LEFT JOIN LATERAL (
           SELECT true AS audited, d.serial FROM devices d
            WHERE d.id = i.device_id AND ops.operation_type = 'inventory_audit'
           OFFSET 0
         ) rec ON true
   WHERE od.operation_id = i.operation_id AND od.device_id = i.device_id
     AND od.status IN ('pending', 'dispatched')
  RETURNING od.operation_id, od.device_id, od.status, od.error_code, od.observed, ops.operation_type, ops.fw
),
dev AS (
  UPDATE devices d SET
      ${deviceWrites.map(([column, value]) => `${column} = ${value}`).join(",\n      ")},
      updated_at = now()
    FROM moved m
   WHERE d.id = m.device_id AND m.status <> 'cancelled'
     -- Written only where a value changes: an unchanged re-sync leaves the row (and updated_at) alone.
     AND (${deviceWrites.map(([column]) => `d.${column}`).join(", ")})
         IS DISTINCT FROM (${deviceWrites.map(([, value]) => value).join(", ")})
  RETURNING d.id
)`;

/**
 * Folds device results in the caller's transaction (it must be one: planner settings are SET LOCAL) and ends the operations that became complete
 * (finalizeOperations), writing the milestone and finished outbox rows of `natsPrefix`. Idempotent: results whose ledger row is already terminal change nothing.
 * `recentRates` (operation id → devices/s) feeds the ETA. A device row is written only where a value
 * changes (see `deviceWrites`). A compliance_report's succeeded results are judged first with the
 * operation's frozen baselines (`options.frozen` caches them across folds).
 */
export async function foldResults(
  client: Queryable,
  natsPrefix: string,
  input: readonly FoldRow[],
  recentRates: ReadonlyMap<string, number> = new Map(),
  options: FoldOptions = {},
): Promise<FoldOutcome> {
  const rows = await judgeCompliance(client, input, options.frozen ?? new FrozenBaselineCache());
  // Every join here is a primary-key lookup per result. A new operation's ledger rows have no
  // statistics yet, and the planner then hashes a sequential scan of the whole ledger on every
  // fold (O(n²) over an operation). Transaction-local: the caller's transaction ends it.
  await client.query(
    "SET LOCAL enable_hashjoin = off; SET LOCAL enable_mergejoin = off; SET LOCAL enable_seqscan = off",
  );
  const counts = await applyMovedRows(
    client,
    FOLD_SQL,
    [batchJson(rows), options.lastSeenResolutionS ?? 0],
    recentRates,
  );
  const movedByOperation = new Map<string, number>();
  let moved = 0;
  for (const [id, c] of counts) {
    movedByOperation.set(id, c.processed);
    moved += c.processed;
  }
  await writeMilestoneEvents(client, natsPrefix, movedByOperation);
  const finished = await finalizeOperations(client, [...movedByOperation.keys()], natsPrefix);
  const progress = await readOperationProgress(client, [...movedByOperation.keys()]);
  return { movedByOperation, moved, finished, progress };
}

/**
 * The batch as one JSON array of row arrays, the statement's only row-sized parameter. Nine
 * parallel arrays cost more on both sides: pg escapes every element of every array in JavaScript
 * (the aggregator's largest cost after GC) and Postgres parses nine array literals, the observed
 * values twice (the literal, then each element as jsonb). Here `observed` is already JSON text and
 * goes in as it is; ids are digit strings (checked by the result schema), the outcome an enum word.
 */
export function batchJson(rows: readonly FoldRow[]): string {
  const parts = new Array<string>(rows.length);
  for (let i = 0; i < rows.length; i++) {
    const r = rows[i] as FoldRow;
    parts[i] =
      `[${r.operationId},${r.deviceId},"${r.outcome}",${JSON.stringify(r.errorCode)},${JSON.stringify(r.errorMessage)},` +
      `${r.observed ?? "null"},${r.attempts},${r.startedAt},${r.finishedAt}]`;
  }
  return `[${parts.join(",")}]`;
}
