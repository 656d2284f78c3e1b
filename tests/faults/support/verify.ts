import { jetstreamManager, natsServers } from "@headless-ops/bus";
import { DeviceResultBatch, natsNames } from "@headless-ops/contracts";
import type { DbHandle } from "@headless-ops/db";
import { waitFor } from "@headless-ops/testkit";
import { connect } from "@nats-io/transport-node";
import type { Fleet } from "./fleet.js";

type Pool = DbHandle["pool"];

const terminal = ["completed", "completed_with_errors", "failed", "cancelled"];

/** Waits until the operation reached a terminal status; returns the seconds since it started. */
export async function waitFinished(pool: Pool, operationId: string, timeoutMs: number): Promise<void> {
  let last: unknown;
  await waitFor(
    async () => {
      const res = await pool.query<{ status: string; processed_devices: number; total_devices: number }>(
        "SELECT status, processed_devices, total_devices FROM operations WHERE id = $1",
        [operationId],
      );
      last = res.rows[0];
      return terminal.includes(res.rows[0]?.status ?? "") ? true : undefined;
    },
    { timeoutMs, intervalMs: 250, what: `operation ${operationId} to finish` },
  ).catch((err: Error) => {
    throw new Error(`${err.message}; last seen ${JSON.stringify(last)}`);
  });
}

export type Audit = {
  status: string;
  devices: number;
  /** Target devices without exactly one terminal ledger row. */
  lost: number;
  /** Device results counted more than once (operation counters above the ledger). */
  duplicated: number;
  /** Extra copies of device results on the wire (DEVICE_RESULTS stream): at-least-once, folded once. */
  redelivered: number;
  ledger: Record<string, number>;
  counters: { total: number; processed: number; failed: number; progress: number };
  errorSummary: Record<string, number>;
  ledgerErrors: Record<string, number>;
  inventoryMismatches: number;
  seconds: number;
};

/**
 * What a user would check after the faults: one terminal ledger row per target device, counters
 * and error_summary equal to counts taken from the ledger, the inventory written for every
 * succeeded device (and only for those), the operation finished.
 */
export async function auditOperation(pool: Pool, operationId: string, fleet: Fleet): Promise<Audit> {
  const op = (
    await pool.query<{
      status: string;
      total_devices: number;
      processed_devices: number;
      failed_devices: number;
      progress: number;
      error_summary: Record<string, number>;
      seconds: number;
    }>(
      `SELECT status, total_devices, processed_devices, failed_devices, progress, error_summary,
              extract(epoch FROM (coalesce(finished_at, now()) - started_at))::float8 AS seconds
         FROM operations WHERE id = $1`,
      [operationId],
    )
  ).rows[0];
  if (!op) throw new Error(`operation ${operationId} not found`);
  const ledgerRows = await pool.query<{ status: string; n: number }>(
    "SELECT status, count(*)::int AS n FROM operation_devices WHERE operation_id = $1 GROUP BY 1",
    [operationId],
  );
  const ledger = Object.fromEntries(ledgerRows.rows.map((r) => [r.status, r.n]));
  const errors = await pool.query<{ code: string; n: number }>(
    `SELECT error_code AS code, count(*)::int AS n FROM operation_devices
      WHERE operation_id = $1 AND status = 'failed' GROUP BY 1`,
    [operationId],
  );
  const targets = await pool.query<{ lost: number; inventory: number }>(
    `SELECT count(*) FILTER (WHERE od.status IS NULL OR od.status IN ('pending', 'dispatched'))::int AS lost,
            count(*) FILTER (WHERE (od.status = 'succeeded') <> (d.serial IS NOT DISTINCT FROM d.sim_profile->>'serial'))::int AS inventory
       FROM devices d LEFT JOIN operation_devices od ON od.operation_id = $1 AND od.device_id = d.id
      WHERE d.organization_id = $2`,
    [operationId, fleet.organization],
  );
  const terminalCount = (ledger.succeeded ?? 0) + (ledger.failed ?? 0) + (ledger.cancelled ?? 0);
  return {
    status: op.status,
    devices: fleet.devices,
    lost: targets.rows[0]?.lost ?? fleet.devices,
    duplicated:
      Math.max(0, op.processed_devices - terminalCount) +
      Math.max(0, op.failed_devices - (ledger.failed ?? 0)),
    redelivered: 0,
    ledger,
    counters: {
      total: op.total_devices,
      processed: op.processed_devices,
      failed: op.failed_devices,
      progress: op.progress,
    },
    errorSummary: op.error_summary,
    ledgerErrors: Object.fromEntries(errors.rows.map((r) => [r.code, r.n])),
    inventoryMismatches: targets.rows[0]?.inventory ?? -1,
    seconds: Number(op.seconds.toFixed(1)),
  };
}

/** The audit every scenario must pass, as one comparable object (a failure shows all differences at once). */
export function expectedAudit(fleet: Fleet): Partial<Audit> {
  const failed = Object.values(fleet.expectedFailed).reduce((a, b) => a + b, 0);
  return {
    status: failed === 0 ? "completed" : failed === fleet.devices ? "failed" : "completed_with_errors",
    devices: fleet.devices,
    lost: 0,
    duplicated: 0,
    ledger: { succeeded: fleet.devices - failed, ...(failed ? { failed } : {}) },
    counters: { total: fleet.devices, processed: fleet.devices, failed, progress: 100 },
    errorSummary: fleet.expectedFailed,
    ledgerErrors: fleet.expectedFailed,
    inventoryMismatches: 0,
  };
}

/**
 * Device results on the wire for one operation: the DEVICE_RESULTS stream keeps every publish
 * (limits retention), so copies beyond one per device are redeliveries the database absorbed.
 */
export async function resultCopies(
  natsUrl: string,
  prefix: string,
  operationId: string,
): Promise<{ devices: number; extra: number }> {
  const nc = await connect({ servers: natsServers(natsUrl) });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = natsNames(prefix).streams.deviceResults;
    const { state } = await jsm.streams.info(stream);
    const seen = new Map<string, number>();
    for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!msg) continue;
      let raw: unknown;
      try {
        raw = msg.json();
      } catch {
        continue; // poison on the wire (scenario 8): not a result
      }
      const parsed = DeviceResultBatch.safeParse(raw);
      if (!parsed.success || parsed.data.operation_id !== operationId) continue;
      for (const r of parsed.data.results) seen.set(r.device_id, (seen.get(r.device_id) ?? 0) + 1);
    }
    let extra = 0;
    for (const n of seen.values()) extra += n - 1;
    return { devices: seen.size, extra };
  } finally {
    await nc.close();
  }
}
