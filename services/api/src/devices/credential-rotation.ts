import type { CredentialSealer } from "@headless-ops/runtime";
import type pg from "pg";

/*
 * Re-seals every device's credentials under the sealing key (the first of CREDENTIAL_KEYS), in
 * batches in id order, one UPDATE per batch. Rows already under that key are skipped without
 * decrypting, so a re-run (after a crash, or with `fromId`) only does what is left. Each row is
 * written only if it still holds the ciphertext that was read (and the same address and port): a
 * PATCH in between wins and is counted as `changed_meanwhile`. Probes keep working throughout as
 * long as the probers hold the old and the new key.
 */

export type RotationReport = {
  scanned: number;
  resealed: number;
  already_current: number;
  changed_meanwhile: number;
  /** Rows whose credentials open with no held key, or are bound to another device. */
  failed: number;
  failed_device_ids: string[];
  /** Highest device id done: pass it as `fromId` to resume after it. */
  last_device_id: string | null;
};

type Row = {
  id: string;
  organization_id: string;
  mgmt_address: string | null;
  mgmt_port: number | null;
  credentials: Buffer;
};

type Resealed = { row: Row; next: Buffer };

const MAX_LISTED_FAILURES = 100;

function resealBatch(sealer: CredentialSealer, rows: Row[], report: RotationReport): Resealed[] {
  const out: Resealed[] = [];
  for (const row of rows) {
    report.scanned++;
    if (sealer.isCurrent(row.credentials)) {
      report.already_current++;
      continue;
    }
    const binding = {
      deviceId: row.id,
      organizationId: row.organization_id,
      address: row.mgmt_address,
      port: row.mgmt_port,
    };
    try {
      out.push({ row, next: sealer.seal(sealer.open(row.credentials, binding), binding) });
    } catch {
      report.failed++;
      if (report.failed_device_ids.length < MAX_LISTED_FAILURES) report.failed_device_ids.push(row.id);
    }
  }
  return out;
}

export async function rotateCredentials(
  pool: Pick<pg.Pool, "query">,
  sealer: CredentialSealer,
  opts: { batchSize: number; fromId?: string; onBatch?: (report: RotationReport) => void },
): Promise<RotationReport> {
  const report: RotationReport = {
    scanned: 0,
    resealed: 0,
    already_current: 0,
    changed_meanwhile: 0,
    failed: 0,
    failed_device_ids: [],
    last_device_id: null,
  };
  let after = opts.fromId ?? "0";
  for (;;) {
    const { rows } = await pool.query<Row>(
      `SELECT d.id::text AS id, d.organization_id::text AS organization_id, d.mgmt_address, d.mgmt_port, d.credentials
         FROM devices d WHERE d.credentials IS NOT NULL AND d.id > $1::bigint ORDER BY d.id LIMIT $2`,
      [after, opts.batchSize],
    );
    if (rows.length === 0) break;
    const updates = resealBatch(sealer, rows, report);
    if (updates.length > 0) {
      const res = await pool.query(
        `UPDATE devices d SET credentials = u.next
           FROM unnest($1::bigint[], $2::bytea[], $3::bytea[], $4::text[], $5::int[]) AS u(id, old, next, a, p)
          WHERE d.id = u.id AND d.credentials = u.old
            AND d.mgmt_address IS NOT DISTINCT FROM u.a AND d.mgmt_port IS NOT DISTINCT FROM u.p`,
        [
          updates.map((u) => u.row.id),
          updates.map((u) => u.row.credentials),
          updates.map((u) => u.next),
          updates.map((u) => u.row.mgmt_address),
          updates.map((u) => u.row.mgmt_port),
        ],
      );
      report.resealed += res.rowCount ?? 0;
      report.changed_meanwhile += updates.length - (res.rowCount ?? 0);
    }
    after = (rows.at(-1) as Row).id;
    report.last_device_id = after;
    opts.onBatch?.(report);
  }
  return report;
}
