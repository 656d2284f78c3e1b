import { StoredOperationRequest } from "@headless-ops/contracts";
import type pg from "pg";
import { withTransaction } from "../client.js";
import { PG_UNIQUE_VIOLATION, pgErrorCode } from "../pg-errors.js";
import type { Queryable } from "../queryable.js";
import { insertOperation } from "../status/insert-operation.js";
import { dueFireTimes, nextFireAfter } from "./cron-times.js";

/** A firing later than this after its fire time counts as missed (downtime) under `missed_runs: skip`. */
export const MISSED_AFTER_MS = 5 * 60_000;

export type FiringOutcome = {
  scheduleId: string;
  fireAt: Date;
  /** `fired` made an operation; the others made none. */
  /** `invalid`: the stored template no longer reads; the schedule is paused (next_fire_at null). */
  result: "fired" | "overlap_skipped" | "missed_skipped" | "duplicate" | "invalid";
  operationId?: string;
};

type DueRow = {
  id: string;
  request: unknown;
  cron: string;
  timezone: string;
  starts_at: Date | null;
  ends_at: Date | null;
  missed_runs: "skip" | "run_once";
  overlap: "skip" | "allow";
  next_fire_at: Date;
  created_by: string | null;
};

/**
 * Of the fire times due since `next_fire_at`, the one to fire: the latest, except that under
 * `skip` a firing older than MISSED_AFTER_MS is dropped. Older fire times never backfill.
 */
function pickFiring(row: DueRow, now: Date): { fireAt: Date; missed: boolean } | undefined {
  const due = dueFireTimes(
    { cron: row.cron, timezone: row.timezone, startsAt: row.starts_at, endsAt: row.ends_at },
    row.next_fire_at,
    now,
  );
  const latest = due.at(-1);
  if (!latest) return undefined;
  const late = now.getTime() - latest.getTime() > MISSED_AFTER_MS;
  return { fireAt: latest, missed: late && row.missed_runs === "skip" };
}

async function previousStillRuns(client: Queryable, scheduleId: string): Promise<boolean> {
  const res = await client.query(
    `SELECT 1 FROM operations WHERE schedule_id = $1 AND status IN ('scheduled', 'in_progress') LIMIT 1`,
    [scheduleId],
  );
  return (res.rowCount ?? 0) > 0;
}

async function countTargets(client: Queryable, request: StoredOperationRequest): Promise<number> {
  const res = await client.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM devices WHERE organization_id = ANY($1::bigint[])
        AND ($2::text[] IS NULL OR device_type = ANY($2::text[]))
        AND ($3::text[] IS NULL OR status = ANY($3::text[]))`,
    [
      request.target_organizations,
      request.device_filters.types ?? null,
      request.device_filters.status ?? null,
    ],
  );
  return res.rows[0]?.n ?? 0;
}

/** Inserts the firing's operation under a savepoint: a duplicate (unique schedule + fire time) is no error. */
async function insertFiring(
  client: Queryable,
  natsPrefix: string,
  row: DueRow,
  fireAt: Date,
): Promise<string | undefined> {
  const template = StoredOperationRequest.parse(row.request);
  const request = { ...template, schedule: { ...template.schedule, execute_at: fireAt.toISOString() } };
  await client.query("SAVEPOINT firing");
  try {
    const { row: op } = await insertOperation(client, natsPrefix, {
      request,
      createdBy: row.created_by,
      targetCount: await countTargets(client, request),
      scheduleId: row.id,
      scheduleFireAt: fireAt,
    });
    await client.query("RELEASE SAVEPOINT firing");
    return op.id;
  } catch (err) {
    if (pgErrorCode(err) !== PG_UNIQUE_VIOLATION) throw err;
    await client.query("ROLLBACK TO SAVEPOINT firing");
    return undefined;
  }
}

async function fireOne(client: Queryable, natsPrefix: string, row: DueRow, now: Date) {
  if (!StoredOperationRequest.safeParse(row.request).success) {
    await client.query("UPDATE schedules SET next_fire_at = NULL WHERE id = $1", [row.id]);
    return { scheduleId: row.id, fireAt: row.next_fire_at, result: "invalid" } as FiringOutcome;
  }
  const pick = pickFiring(row, now);
  let outcome: FiringOutcome | undefined;
  if (pick) {
    const base = { scheduleId: row.id, fireAt: pick.fireAt };
    if (pick.missed) outcome = { ...base, result: "missed_skipped" };
    else if (row.overlap === "skip" && (await previousStillRuns(client, row.id))) {
      outcome = { ...base, result: "overlap_skipped" };
    } else {
      const operationId = await insertFiring(client, natsPrefix, row, pick.fireAt);
      outcome = operationId ? { ...base, result: "fired", operationId } : { ...base, result: "duplicate" };
    }
  }
  const spec = { cron: row.cron, timezone: row.timezone, startsAt: row.starts_at, endsAt: row.ends_at };
  await client.query(
    `UPDATE schedules SET next_fire_at = $2,
        last_fired_at = CASE WHEN $3::timestamptz IS NULL THEN last_fired_at ELSE $3::timestamptz END
      WHERE id = $1`,
    [row.id, nextFireAfter(spec, now), outcome?.result === "fired" ? outcome.fireAt : null],
  );
  return outcome;
}

/**
 * Fires the schedules due at `now` (the injectable clock): rows locked `FOR UPDATE SKIP LOCKED`, so
 * replicas split the due schedules, and `next_fire_at` moves on in the same transaction as the
 * operation insert; the unique (schedule_id, schedule_fire_at) key makes a firing exist at most once
 * even if two replicas or a restart look at the same fire time.
 */
export async function fireDueSchedules(
  pool: pg.Pool,
  natsPrefix: string,
  now: Date,
  limit = 50,
): Promise<FiringOutcome[]> {
  return withTransaction(pool, async (client) => {
    const due = await client.query<DueRow>(
      `SELECT id, request, cron, timezone, starts_at, ends_at, missed_runs, overlap, next_fire_at, created_by
         FROM schedules WHERE enabled AND next_fire_at IS NOT NULL AND next_fire_at <= $1
        ORDER BY next_fire_at, id LIMIT $2 FOR UPDATE SKIP LOCKED`,
      [now, limit],
    );
    const outcomes: FiringOutcome[] = [];
    for (const row of due.rows) {
      const outcome = await fireOne(client, natsPrefix, row, now);
      if (outcome) outcomes.push(outcome);
    }
    return outcomes;
  });
}

/** Milliseconds from `now` until the next enabled schedule is due; null when none. */
export async function msUntilNextFiring(db: Queryable, now: Date): Promise<number | null> {
  const res = await db.query<{ at: Date | null }>(
    "SELECT min(next_fire_at) AS at FROM schedules WHERE enabled AND next_fire_at IS NOT NULL",
  );
  const at = res.rows[0]?.at;
  return at ? Math.max(0, at.getTime() - now.getTime()) : null;
}
