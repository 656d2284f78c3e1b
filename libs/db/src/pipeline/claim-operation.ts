import { StoredOperationRequest } from "@headless-ops/contracts";
import type { Queryable } from "../queryable.js";
import { writeFinishedEvents, writeStartedEvent } from "../status/operation-events.js";

/** Baselines frozen per operation: an organization has a handful; this bounds a misuse. */
export const MAX_FROZEN_BASELINES = 10_000;

/** Advisory-lock namespace for fan-out leases (first key of the two-int lock). */
export const FANOUT_LOCK_NAMESPACE = 48_151;

export type ClaimedOperation = {
  id: string;
  priority: number;
  totalDevices: number;
  /** The trace context stored with the operation (`operations.traceparent`): its fan-out continues it. */
  traceparent: string | null;
  /** Set when the stored request did not parse: the operation was ended `failed`, nothing targeted. */
  invalidRequest?: string;
};

/** An in-progress operation whose fan-out has not finished, with its stored trace context. */
export type UnfinishedFanout = { id: string; traceparent: string | null };

/** Target selection read from `operations.request` (the validated, normalized POST body). */
export type TargetFilter = {
  deviceIds: string[] | null;
  types: string[] | null;
  statuses: string[] | null;
  timeoutMinutes: number | null;
};

const listOrAny = <T>(list: readonly T[] | undefined): T[] | null =>
  list && list.length > 0 ? [...list] : null;

/**
 * The target filter of a stored request. A retry operation carries `device_ids` (exactly those devices,
 * still limited to the operation's organizations); otherwise `device_filters.types` / `.status`
 * (an absent or empty list means "any").
 */
export function targetFilterOf(request: StoredOperationRequest): TargetFilter {
  const deviceIds = listOrAny(request.device_ids);
  const timeout = request.options.timeout_minutes;
  return {
    deviceIds,
    types: deviceIds ? null : listOrAny(request.device_filters.types),
    statuses: deviceIds ? null : listOrAny(request.device_filters.status),
    timeoutMinutes: timeout > 0 ? timeout : null,
  };
}

/** Ends a claimed operation whose stored request cannot be read: it can target nothing. */
async function failInvalid(client: Queryable, natsPrefix: string, id: string): Promise<void> {
  await client.query(
    `UPDATE operations SET status = 'failed', started_at = now(), finished_at = now(), progress = 100,
            estimated_completion = now(), updated_at = now() WHERE id = $1`,
    [id],
  );
  await writeFinishedEvents(client, natsPrefix, [id]);
}

/*
 * The scheduled → in_progress transition. A compliance_report also freezes its organizations'
 * baselines here (the rows as JSON, in id order) and starts its verdict counters at 0: the fold
 * judges every device with this copy, whatever happens to the baselines while it runs.
 */
const CLAIM_UPDATE = `
UPDATE operations SET status = 'in_progress', total_devices = $2, started_at = now(),
    deadline_at = CASE WHEN $3::int IS NULL THEN NULL ELSE now() + make_interval(mins => $3::int) END,
    fanout_cursor = NULL, fanout_done = ($2 = 0), updated_at = now(),
    compliance_baselines = CASE WHEN operation_type = 'compliance_report' THEN (
      SELECT coalesce(jsonb_agg(to_jsonb(b) - 'created_at' ORDER BY b.id), '[]'::jsonb)
        FROM (SELECT * FROM compliance_baselines cb
               WHERE cb.organization_id = ANY(operations.organization_ids)
               ORDER BY cb.id LIMIT ${MAX_FROZEN_BASELINES}) b
    ) END,
    compliance_compliant = CASE WHEN operation_type = 'compliance_report' THEN 0 END,
    compliance_non_compliant = CASE WHEN operation_type = 'compliance_report' THEN 0 END,
    compliance_unknown = CASE WHEN operation_type = 'compliance_report' THEN 0 END
  WHERE id = $1`;

/**
 * Claims the most urgent due operation, judged by the database clock, and snapshots its targets
 * into the ledger, all in the caller's transaction. `FOR UPDATE SKIP LOCKED` plus the
 * `status = 'scheduled'` condition make the claim exactly-once across scheduler replicas.
 * Returns undefined when nothing is due.
 */
export async function claimDueOperation(
  client: Queryable,
  natsPrefix: string,
): Promise<ClaimedOperation | undefined> {
  const due = await client.query<{
    id: string;
    priority: number;
    organization_ids: string[];
    request: unknown;
    traceparent: string | null;
  }>(
    `SELECT id, priority, organization_ids, request, traceparent FROM operations
      WHERE status = 'scheduled' AND scheduled_for <= now()
      ORDER BY priority DESC, scheduled_for, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED`,
  );
  const op = due.rows[0];
  if (!op) return undefined;
  const parsed = StoredOperationRequest.safeParse(op.request);
  if (!parsed.success) {
    await failInvalid(client, natsPrefix, op.id);
    const reason = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join(".") || "(root)"}: ${i.message}`);
    return {
      id: op.id,
      priority: op.priority,
      totalDevices: 0,
      traceparent: op.traceparent,
      invalidRequest: reason.join("; "),
    };
  }
  const filter = targetFilterOf(parsed.data);
  const inserted = await client.query(
    `INSERT INTO operation_devices (operation_id, device_id)
     SELECT $1::bigint, d.id FROM devices d
      WHERE d.organization_id = ANY($2::bigint[])
        AND ($3::bigint[] IS NULL OR d.id = ANY($3::bigint[]))
        AND ($4::text[] IS NULL OR d.device_type = ANY($4::text[]))
        AND ($5::text[] IS NULL OR d.status = ANY($5::text[]))
     ORDER BY d.id
     ON CONFLICT DO NOTHING`,
    [op.id, op.organization_ids, filter.deviceIds, filter.types, filter.statuses],
  );
  const total = inserted.rowCount ?? 0;
  await client.query(CLAIM_UPDATE, [op.id, total, filter.timeoutMinutes]);
  await writeStartedEvent(client, natsPrefix, op.id);
  return { id: op.id, priority: op.priority, totalDevices: total, traceparent: op.traceparent };
}

/** Milliseconds (by the database clock) until the next scheduled operation is due; null when none. */
export async function msUntilNextDue(client: Queryable): Promise<number | null> {
  const res = await client.query<{ ms: string | null }>(
    `SELECT (extract(epoch FROM (min(scheduled_for) - now())) * 1000)::bigint AS ms
       FROM operations WHERE status = 'scheduled'`,
  );
  const ms = res.rows[0]?.ms;
  return ms === null || ms === undefined ? null : Math.max(0, Number(ms));
}

/** In-progress operations whose fan-out has not finished (after a crash, or requeued). */
export async function unfinishedFanouts(client: Queryable, limit: number): Promise<UnfinishedFanout[]> {
  const res = await client.query<UnfinishedFanout>(
    `SELECT id, traceparent FROM operations
      WHERE status = 'in_progress' AND NOT fanout_done AND cancel_requested_at IS NULL
      ORDER BY priority DESC, id LIMIT $1`,
    [limit],
  );
  return res.rows;
}

/** Session-level lease on an operation's fan-out: released on unlock or when the connection drops. */
export async function tryLockFanout(client: Queryable, operationId: string): Promise<boolean> {
  const res = await client.query<{ locked: boolean }>(
    "SELECT pg_try_advisory_lock($1::int, ($2::bigint % 2147483647)::int) AS locked",
    [FANOUT_LOCK_NAMESPACE, operationId],
  );
  return res.rows[0]?.locked === true;
}

export async function unlockFanout(client: Queryable, operationId: string): Promise<void> {
  await client.query("SELECT pg_advisory_unlock($1::int, ($2::bigint % 2147483647)::int)", [
    FANOUT_LOCK_NAMESPACE,
    operationId,
  ]);
}
