import type { DryRunView, StoredOperationRequest } from "@headless-ops/contracts";
import type { Queryable } from "@headless-ops/db";
import { isoZ } from "../time.js";
import {
  effectiveRateLimit,
  estimateMinutes,
  limitedPerMinute,
  measuredDevicesPerMinute,
} from "./estimate.js";

export type DryRunDeps = {
  db: Queryable;
  addressProblem: (address: string) => string | undefined;
  defaultDevicesPerMinute: number;
};

/** Distinct management addresses checked against the guard; past it the rest count as allowed. */
const MAX_GUARD_CHECKS = 10_000;
const SAMPLE = 20;

/* The target selection of StoredOperationRequest, as the scheduler's claim snapshots it ($1–$3). */
const TARGET = `organization_id = ANY($1::bigint[])
  AND ($2::text[] IS NULL OR device_type = ANY($2::text[]))
  AND ($3::text[] IS NULL OR status = ANY($3::text[]))`;

/* Why a device cannot be probed: simulated devices need neither address nor credentials. */
const REASON = `CASE
  WHEN driver = 'simulated' THEN NULL
  WHEN coalesce(mgmt_address, '') = '' THEN 'no_address'
  WHEN mgmt_address = ANY($4::text[]) THEN 'address_refused'
  WHEN driver = 'snmp' AND credentials IS NULL THEN 'no_credentials'
END`;

type Group = { organization_id: string; device_type: string; status: string; driver: string; n: number };

function tally(groups: Group[], key: (g: Group) => string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const g of groups) out[key(g)] = (out[key(g)] ?? 0) + g.n;
  return out;
}

/** Addresses of the targeted non-simulated devices that the address guard refuses. */
async function refusedAddresses(deps: DryRunDeps, params: unknown[]): Promise<string[]> {
  const res = await deps.db.query<{ a: string }>(
    `SELECT DISTINCT mgmt_address AS a FROM devices
      WHERE ${TARGET} AND driver <> 'simulated' AND coalesce(mgmt_address, '') <> '' LIMIT ${MAX_GUARD_CHECKS}`,
    params,
  );
  return res.rows.map((r) => r.a).filter((a) => deps.addressProblem(a) !== undefined);
}

/**
 * What an operation with `request` would target now: counts by organization, type, status and
 * driver, the devices that cannot be probed and why, samples and the estimated duration. Reads only.
 */
export async function dryRun(
  deps: DryRunDeps,
  request: StoredOperationRequest,
  scheduledFor: Date | null,
): Promise<DryRunView> {
  const params = [
    request.target_organizations,
    request.device_filters.types ?? null,
    request.device_filters.status ?? null,
  ];
  const refused = await refusedAddresses(deps, params);
  const withRefused = [...params, refused];
  const [groups, reasons, badSample, sample, perMinute, rateLimit] = await Promise.all([
    deps.db.query<Group>(
      `SELECT organization_id, device_type, status, driver, count(*)::int AS n FROM devices
        WHERE ${TARGET} GROUP BY 1, 2, 3, 4`,
      params,
    ),
    deps.db.query<{ reason: string; n: number }>(
      `SELECT reason, count(*)::int AS n FROM (SELECT ${REASON} AS reason FROM devices WHERE ${TARGET}) r
        WHERE reason IS NOT NULL GROUP BY reason`,
      withRefused,
    ),
    deps.db.query<{ id: string; hostname: string; organization_id: string; reason: string }>(
      `SELECT * FROM (SELECT id, hostname, organization_id, ${REASON} AS reason FROM devices WHERE ${TARGET}) r
        WHERE reason IS NOT NULL ORDER BY id LIMIT ${SAMPLE}`,
      withRefused,
    ),
    deps.db.query(
      `SELECT id, hostname, organization_id, device_type, status, driver, mgmt_address FROM devices
        WHERE ${TARGET} ORDER BY id LIMIT ${SAMPLE}`,
      params,
    ),
    measuredDevicesPerMinute(deps.db),
    effectiveRateLimit(deps.db, request),
  ]);
  const total = groups.rows.reduce((n, g) => n + g.n, 0);
  const byReason = Object.fromEntries(reasons.rows.map((r) => [r.reason, r.n]));
  return {
    dry_run: true,
    operation_type: request.operation_type,
    scheduled_for: scheduledFor ? isoZ(scheduledFor) : null,
    target_device_count: total,
    estimated_duration_minutes: estimateMinutes(
      total,
      limitedPerMinute(perMinute ?? deps.defaultDevicesPerMinute, rateLimit),
    ),
    counts: {
      by_organization: tally(groups.rows, (g) => String(g.organization_id)),
      by_type: tally(groups.rows, (g) => g.device_type),
      by_status: tally(groups.rows, (g) => g.status),
      by_driver: tally(groups.rows, (g) => g.driver),
    },
    unprobeable: {
      count: reasons.rows.reduce((n, r) => n + r.n, 0),
      by_reason: byReason,
      sample: badSample.rows.map((r) => ({
        id: r.id,
        hostname: r.hostname,
        organization_id: Number(r.organization_id),
        reason: r.reason as DryRunView["unprobeable"]["sample"][number]["reason"],
      })),
    },
    sample: sample.rows.map((r) => ({ ...r, organization_id: Number(r.organization_id) })),
  } as DryRunView;
}
