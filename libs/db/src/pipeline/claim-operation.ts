import type { Queryable } from "../queryable.js";

/** Advisory-lock namespace for fan-out leases (first key of the two-int lock). */
export const FANOUT_LOCK_NAMESPACE = 48_151;

export type ClaimedOperation = {
  id: string;
  priority: number;
  totalDevices: number;
};

/** Target selection read from `operations.request` (the validated, normalized POST body). */
export type TargetFilter = {
  deviceIds: string[] | null;
  types: string[] | null;
  statuses: string[] | null;
  timeoutMinutes: number | null;
};

const stringList = (value: unknown): string[] | null =>
  Array.isArray(value) && value.length > 0 ? value.map((v) => String(v)) : null;

/**
 * Reads the target filter of a request. A retry operation carries `device_ids` (exactly those devices,
 * still limited to the operation's organizations); otherwise `device_filters.types` / `.status`
 * (an absent or empty list means "any").
 */
export function targetFilterOf(request: unknown): TargetFilter {
  const r = (request ?? {}) as Record<string, unknown>;
  const filters = (r.device_filters ?? {}) as Record<string, unknown>;
  const options = (r.options ?? {}) as Record<string, unknown>;
  const timeout = Number(options.timeout_minutes);
  const deviceIds = stringList(r.device_ids);
  return {
    deviceIds,
    types: deviceIds ? null : stringList(filters.types ?? filters.device_types),
    statuses: deviceIds ? null : stringList(filters.status ?? filters.statuses),
    timeoutMinutes: Number.isFinite(timeout) && timeout > 0 ? timeout : null,
  };
}

/**
 * Claims the most urgent due operation, judged by the database clock, and snapshots its targets
 * into the ledger, all in the caller's transaction. `FOR UPDATE SKIP LOCKED` plus the
 * `status = 'scheduled'` condition make the claim exactly-once across scheduler replicas.
 * Returns undefined when nothing is due.
 */
export async function claimDueOperation(client: Queryable): Promise<ClaimedOperation | undefined> {
  const due = await client.query<{
    id: string;
    priority: number;
    organization_ids: string[];
    request: unknown;
  }>(
    `SELECT id, priority, organization_ids, request FROM operations
      WHERE status = 'scheduled' AND scheduled_for <= now()
      ORDER BY priority DESC, scheduled_for, id
      LIMIT 1
      FOR UPDATE SKIP LOCKED`,
  );
  const op = due.rows[0];
  if (!op) return undefined;
  const filter = targetFilterOf(op.request);
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
  await client.query(
    `UPDATE operations SET status = 'in_progress', total_devices = $2, started_at = now(),
        deadline_at = CASE WHEN $3::int IS NULL THEN NULL ELSE now() + make_interval(mins => $3::int) END,
        fanout_cursor = NULL, fanout_done = ($2 = 0), updated_at = now()
      WHERE id = $1`,
    [op.id, total, filter.timeoutMinutes],
  );
  return { id: op.id, priority: op.priority, totalDevices: total };
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
export async function unfinishedFanouts(client: Queryable, limit: number): Promise<string[]> {
  const res = await client.query<{ id: string }>(
    `SELECT id FROM operations
      WHERE status = 'in_progress' AND NOT fanout_done AND cancel_requested_at IS NULL
      ORDER BY priority DESC, id LIMIT $1`,
    [limit],
  );
  return res.rows.map((r) => r.id);
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
