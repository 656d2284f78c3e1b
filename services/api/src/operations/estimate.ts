import type { StoredOperationRequest } from "@headless-ops/contracts";
import type { Queryable } from "@headless-ops/db";

/** What an operation targets: its organizations ∩ the type/status filters, or an explicit device list. */
export type TargetSelection = {
  organizationIds: number[];
  types?: string[] | undefined;
  statuses?: string[] | undefined;
  deviceIds?: string[] | undefined;
};

/** Counts the devices an operation would snapshot now (the scheduler applies the same selection at claim). */
export async function countTargets(db: Queryable, target: TargetSelection): Promise<number> {
  const res = await db.query<{ n: number }>(
    `SELECT count(*)::int AS n FROM devices
      WHERE organization_id = ANY($1::bigint[])
        AND ($2::text[] IS NULL OR device_type = ANY($2::text[]))
        AND ($3::text[] IS NULL OR status = ANY($3::text[]))
        AND ($4::bigint[] IS NULL OR id = ANY($4::bigint[]))`,
    [target.organizationIds, target.types ?? null, target.statuses ?? null, target.deviceIds ?? null],
  );
  return res.rows[0]?.n ?? 0;
}

/** Operations the throughput is measured over: the most recent finished ones. */
const SAMPLE = 20;

/**
 * Devices per minute measured on the last finished operations (total devices over total run time,
 * each run counted as at least a second); null before any operation has finished.
 */
export async function measuredDevicesPerMinute(db: Queryable): Promise<number | null> {
  const res = await db.query<{ devices: number | null; seconds: number | null }>(
    `SELECT sum(processed_devices)::float8 AS devices,
            sum(greatest(extract(epoch FROM finished_at - started_at), 1))::float8 AS seconds
       FROM (SELECT processed_devices, started_at, finished_at FROM operations
              WHERE finished_at IS NOT NULL AND started_at IS NOT NULL AND processed_devices > 0
                AND status <> 'cancelled'
              ORDER BY finished_at DESC LIMIT ${SAMPLE}) recent`,
  );
  const row = res.rows[0];
  if (!row?.devices || !row.seconds) return null;
  return (row.devices / row.seconds) * 60;
}

/** Whole minutes to probe `devices` at `perMinute`; at least one minute when there is any work. */
export function estimateMinutes(devices: number, perMinute: number): number {
  if (devices <= 0) return 0;
  return Math.max(1, Math.ceil(devices / Math.max(perMinute, 1e-9)));
}

/**
 * The probe rate limit an operation runs under: its `options.max_devices_per_second`, else the
 * smallest default of its organizations (the gentlest any of them asked for), else null (none).
 * The probers resolve it the same way (readOperationRunStates).
 */
export async function effectiveRateLimit(
  db: Queryable,
  request: Pick<StoredOperationRequest, "options" | "target_organizations">,
): Promise<number | null> {
  if (request.options.max_devices_per_second !== undefined) return request.options.max_devices_per_second;
  const res = await db.query<{ rate: number | null }>(
    "SELECT min(max_devices_per_second) AS rate FROM organizations WHERE id = ANY($1::bigint[])",
    [request.target_organizations],
  );
  return res.rows[0]?.rate ?? null;
}

/** Devices per minute an operation can reach: the measured throughput, capped by its rate limit. */
export function limitedPerMinute(perMinute: number, maxDevicesPerSecond: number | null): number {
  return maxDevicesPerSecond === null ? perMinute : Math.min(perMinute, maxDevicesPerSecond * 60);
}
