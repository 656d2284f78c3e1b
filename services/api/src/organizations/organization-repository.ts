import type { OrganizationView } from "@headless-ops/contracts";
import type { Queryable } from "@headless-ops/db";
import { isoZ } from "../time.js";

type Row = { id: string; name: string; max_devices_per_second: number | null; created_at: Date };

const view = (row: Row): OrganizationView => ({
  id: Number(row.id),
  name: row.name,
  max_devices_per_second: row.max_devices_per_second,
  created_at: isoZ(row.created_at),
});

/** One organization; the caller has checked the token holds it. */
export async function findOrganization(db: Queryable, id: number): Promise<OrganizationView | undefined> {
  const res = await db.query<Row>(
    "SELECT id, name, max_devices_per_second, created_at FROM organizations WHERE id = $1",
    [id],
  );
  const row = res.rows[0];
  return row ? view(row) : undefined;
}

/** Sets (or with null removes) the organization's default probe rate limit. */
export async function setOrganizationRateLimit(
  db: Queryable,
  id: number,
  maxDevicesPerSecond: number | null,
): Promise<OrganizationView | undefined> {
  const res = await db.query<Row>(
    `UPDATE organizations SET max_devices_per_second = $2 WHERE id = $1
     RETURNING id, name, max_devices_per_second, created_at`,
    [id, maxDevicesPerSecond],
  );
  const row = res.rows[0];
  return row ? view(row) : undefined;
}
