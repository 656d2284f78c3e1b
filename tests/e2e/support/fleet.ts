import type { DeviceStatus, DeviceType, SimProfile } from "@headless-ops/contracts";
import { deviceTypes } from "@headless-ops/contracts";
import type pg from "pg";

export async function seedOrganizations(pool: pg.Pool, ids: number[]): Promise<void> {
  await pool.query(
    "INSERT INTO organizations (id, name) SELECT i, 'org ' || i FROM unnest($1::bigint[]) i ON CONFLICT DO NOTHING",
    [ids],
  );
}

/**
 * Inserts `count` simulated devices straight into the inventory (the API's device routes have their
 * own tests; a thousand rows by SQL take milliseconds). Device types cycle through every type unless
 * one is given; each device reports the serial `SN-<label>-<n>`. Returns the ids, ascending.
 */
export async function seedDevices(
  pool: pg.Pool,
  group: {
    organization: number;
    label: string;
    count: number;
    sim?: Partial<SimProfile>;
    status?: DeviceStatus;
    type?: DeviceType;
  },
): Promise<string[]> {
  const sim = { latency_ms: 0, fail_rate: 0, fail_code: "connection_timeouts", ...group.sim };
  const types = group.type ? [group.type] : [...deviceTypes];
  const res = await pool.query<{ id: string }>(
    `INSERT INTO devices (organization_id, hostname, device_type, status, driver, sim_profile)
     SELECT $1, $2 || '-' || g, ($3::text[])[1 + (g % array_length($3::text[], 1))], $4, 'simulated',
            $5::jsonb || jsonb_build_object('serial', 'SN-' || $2 || '-' || g, 'firmware', 'fw-' || $2)
       FROM generate_series(1, $6::int) g
     RETURNING id`,
    [group.organization, group.label, types, group.status ?? "active", JSON.stringify(sim), group.count],
  );
  return res.rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
}

/** The ledger of one operation, by status, as the database holds it. */
export async function ledgerCounts(pool: pg.Pool, operationId: string): Promise<Record<string, number>> {
  const res = await pool.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM operation_devices WHERE operation_id = $1 GROUP BY status",
    [operationId],
  );
  return Object.fromEntries(res.rows.map((r) => [r.status, r.n]));
}
