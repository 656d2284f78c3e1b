import type { DevicePatch, DeviceStatus, DeviceType, Driver } from "@headless-ops/contracts";
import type { Queryable } from "@headless-ops/db";
import type { Principal } from "../auth.js";
import { parseId } from "../operations/query.js";
import type { Page } from "../pagination.js";
import type { DeviceRecord } from "./device-batch.js";
import { DEVICE_COLUMNS, type DeviceRow } from "./device-view.js";

/** Rows per INSERT statement: one UNNEST statement per chunk, all chunks in the caller's transaction. */
const CHUNK = 5_000;

const col = <T>(records: readonly DeviceRecord[], pick: (r: DeviceRecord) => T | null | undefined) =>
  records.map((r) => pick(r) ?? null);

/**
 * Draws `n` ids from the devices sequence before the insert: sealed credentials are bound to their
 * device id (AES-GCM additional data), so the id must be known when they are sealed.
 */
async function allocateIds(client: Queryable, n: number): Promise<string[]> {
  const res = await client.query<{ id: string }>(
    "SELECT nextval(pg_get_serial_sequence('devices', 'id'))::text AS id FROM generate_series(1, $1::int)",
    [n],
  );
  return res.rows.map((r) => r.id);
}

/**
 * Inserts a validated batch with one UNNEST statement per chunk (no per-row round trips).
 * `returnRows: false` (imports) skips building the created rows and returns only how many there are.
 */
export async function insertDevices(
  client: Queryable,
  records: readonly DeviceRecord[],
  opts: { returnRows: boolean } = { returnRows: true },
): Promise<{ rows: DeviceRow[]; count: number }> {
  const out: DeviceRow[] = [];
  let count = 0;
  for (let start = 0; start < records.length; start += CHUNK) {
    const chunk = records.slice(start, start + CHUNK);
    const ids = await allocateIds(client, chunk.length);
    const sealed = chunk.map((r, i) =>
      r.seal
        ? r
            .seal({
              deviceId: ids[i] as string,
              organizationId: r.organization_id,
              address: r.mgmt_address,
              port: r.mgmt_port,
            })
            .toString("hex")
        : null,
    );
    const res = await client.query<DeviceRow>(
      `INSERT INTO devices (id, organization_id, hostname, device_type, status, mgmt_address, mgmt_port, driver,
          credentials, sim_profile, serial, model, vendor, firmware, last_seen)
       SELECT i, o, h, t, s, a, p, d, decode(c, 'hex'), sp::jsonb, se, mo, ve, fw, ls
         FROM unnest($15::bigint[], $1::bigint[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int[], $7::text[],
                     $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::timestamptz[])
              WITH ORDINALITY AS u(i, o, h, t, s, a, p, d, c, sp, se, mo, ve, fw, ls, n)
        ORDER BY n
       RETURNING ${opts.returnRows ? DEVICE_COLUMNS : "id"}`,
      [
        col(chunk, (r) => r.organization_id),
        col(chunk, (r) => r.hostname),
        col(chunk, (r) => r.device_type),
        col(chunk, (r) => r.status),
        col(chunk, (r) => r.mgmt_address),
        col(chunk, (r) => r.mgmt_port),
        col(chunk, (r) => r.driver),
        sealed,
        col(chunk, (r) => (r.sim ? JSON.stringify(r.sim) : null)),
        col(chunk, (r) => r.serial),
        col(chunk, (r) => r.model),
        col(chunk, (r) => r.vendor),
        col(chunk, (r) => r.firmware),
        col(chunk, (r) => r.last_seen),
        ids,
      ],
    );
    count += res.rowCount ?? 0;
    if (opts.returnRows) out.push(...res.rows);
  }
  return { rows: out, count };
}

export type DeviceFilters = {
  organizationId?: number | undefined;
  deviceType?: DeviceType | undefined;
  status?: DeviceStatus | undefined;
  driver?: Driver | undefined;
  hostname?: string | undefined;
};

/** One page of the token's devices in id order, with the total count. */
export async function listDevices(
  db: Queryable,
  principal: Principal,
  filters: DeviceFilters,
  page: Page,
): Promise<{ count: number; rows: DeviceRow[] }> {
  const where = `organization_id = ANY($1::bigint[])
    AND ($2::bigint IS NULL OR organization_id = $2) AND ($3::text IS NULL OR device_type = $3)
    AND ($4::text IS NULL OR status = $4) AND ($5::text IS NULL OR driver = $5)
    AND ($6::text IS NULL OR hostname = $6)`;
  const params = [
    principal.organizationIds,
    filters.organizationId ?? null,
    filters.deviceType ?? null,
    filters.status ?? null,
    filters.driver ?? null,
    filters.hostname ?? null,
  ];
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM devices WHERE ${where}`, params),
    db.query<DeviceRow>(
      `SELECT ${DEVICE_COLUMNS} FROM devices WHERE ${where} ORDER BY id LIMIT $7 OFFSET $8`,
      [...params, page.pageSize, page.offset],
    ),
  ]);
  return { count: count.rows[0]?.n ?? 0, rows: rows.rows };
}

/** A device of the token's organizations, or undefined (unknown and foreign ids look the same). */
export async function findDevice(
  db: Queryable,
  principal: Principal,
  id: string,
): Promise<DeviceRow | undefined> {
  const valid = parseId(id);
  if (!valid) return undefined;
  const res = await db.query<DeviceRow>(
    `SELECT ${DEVICE_COLUMNS} FROM devices WHERE id = $1 AND organization_id = ANY($2::bigint[])`,
    [valid, principal.organizationIds],
  );
  return res.rows[0];
}

const patchColumns: Record<Exclude<keyof DevicePatch, "credentials" | "sim">, string> = {
  hostname: "hostname",
  device_type: "device_type",
  status: "status",
  mgmt_address: "mgmt_address",
  mgmt_port: "mgmt_port",
  driver: "driver",
  serial: "serial",
  model: "model",
  vendor: "vendor",
  firmware: "firmware",
  last_seen: "last_seen",
};

/** Applies the fields present in a PATCH (null clears); `sealed` replaces or (null) removes credentials. */
export async function updateDevice(
  db: Queryable,
  id: string,
  patch: DevicePatch,
  sealed: Buffer | null | undefined,
): Promise<DeviceRow | undefined> {
  const sets: string[] = [];
  const params: unknown[] = [id];
  const set = (column: string, value: unknown) => {
    params.push(value);
    sets.push(`${column} = $${params.length}`);
  };
  for (const [key, column] of Object.entries(patchColumns)) {
    const value = patch[key as keyof typeof patchColumns];
    if (value !== undefined) set(column, value);
  }
  if (patch.sim !== undefined) set("sim_profile", patch.sim === null ? null : JSON.stringify(patch.sim));
  if (sealed !== undefined) set("credentials", sealed);
  const res = await db.query<DeviceRow>(
    `UPDATE devices SET ${[...sets, "updated_at = now()"].join(", ")} WHERE id = $1 RETURNING ${DEVICE_COLUMNS}`,
    params,
  );
  return res.rows[0];
}

export async function deleteDevice(db: Queryable, id: string): Promise<void> {
  await db.query("DELETE FROM devices WHERE id = $1", [id]);
}
