import { insertOperation, withTransaction } from "@headless-ops/db";
import type pg from "pg";

/** The failure mix of a fault fleet: deterministic (fail_rate 0 or 1), so the expected ledger is known. */
export type FleetMix = {
  /** Every `authEvery`-th device always fails with authentication_failures (final at once). */
  authEvery: number;
  /** Every `timeoutEvery`-th device (not an auth one) always fails with connection_timeouts (transient: retried). */
  timeoutEvery: number;
};

export const defaultMix: FleetMix = { authEvery: 50, timeoutEvery: 101 };

export type Fleet = { organization: number; devices: number; expectedFailed: Record<string, number> };

/** Expected failures by code for `devices` devices numbered 1..devices under `mix`. */
export function expectedFailures(devices: number, mix: FleetMix): Record<string, number> {
  let auth = 0;
  let timeouts = 0;
  for (let g = 1; g <= devices; g++) {
    if (g % mix.authEvery === 0) auth++;
    else if (g % mix.timeoutEvery === 0) timeouts++;
  }
  const out: Record<string, number> = {};
  if (auth) out.authentication_failures = auth;
  if (timeouts) out.connection_timeouts = timeouts;
  return out;
}

/**
 * Inserts an organization and `devices` simulated devices in one statement. Each device reports the
 * serial `FS-<org>-<n>` after `latencyMs`; the mix decides which always fail.
 */
export async function seedFleet(
  pool: pg.Pool,
  opts: { organization: number; devices: number; latencyMs: number; mix?: FleetMix },
): Promise<Fleet> {
  const mix = opts.mix ?? defaultMix;
  await pool.query(
    "INSERT INTO organizations (id, name) VALUES ($1::bigint, 'faults ' || $1::text) ON CONFLICT DO NOTHING",
    [opts.organization],
  );
  await pool.query(
    `INSERT INTO devices (organization_id, hostname, device_type, status, driver, sim_profile)
     SELECT $1::bigint, 'fs-' || $1::text || '-' || g, 'router', 'active', 'simulated',
            jsonb_build_object('latency_ms', $3::int, 'serial', 'FS-' || $1::text || '-' || g, 'firmware', 'fw-1',
              'fail_rate', CASE WHEN g % $4::int = 0 OR g % $5::int = 0 THEN 1 ELSE 0 END,
              'fail_code', CASE WHEN g % $4::int = 0 THEN 'authentication_failures' ELSE 'connection_timeouts' END)
       FROM generate_series(1, $2::int) g`,
    [opts.organization, opts.devices, opts.latencyMs, mix.authEvery, mix.timeoutEvery],
  );
  return {
    organization: opts.organization,
    devices: opts.devices,
    expectedFailed: expectedFailures(opts.devices, mix),
  };
}

/**
 * Creates a due bulk_serial_sync operation over one organization the way the API does (libs/db
 * insertOperation: the operation row and its `operation.created` outbox row in one transaction; no API
 * process needed, the scheduler's sweep finds it whether or not a relay publishes the event).
 */
export async function createOperation(
  pool: pg.Pool,
  opts: {
    organization: number;
    natsPrefix: string;
    timeoutMinutes?: number;
    priority?: "high" | "normal" | "low";
  },
): Promise<string> {
  const request = {
    operation_type: "bulk_serial_sync" as const,
    target_organizations: [opts.organization],
    device_filters: {},
    schedule: { execute_at: new Date().toISOString(), priority: opts.priority ?? "normal" },
    options: {
      update_firmware_info: true,
      validate_connectivity: false,
      timeout_minutes: opts.timeoutMinutes ?? 30,
    },
  };
  const { row } = await withTransaction(pool, (client) =>
    insertOperation(client, opts.natsPrefix, { request }),
  );
  return row.id;
}
