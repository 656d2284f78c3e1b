import type { BaselineView } from "@headless-ops/contracts";
import type pg from "pg";
import type { Principal } from "../auth.js";
import type { Page } from "../pagination.js";
import { isoZ } from "../time.js";

type Row = {
  id: string;
  organization_id: string;
  vendor: string;
  model_pattern: string;
  min_firmware: string | null;
  allowed_firmware: string[] | null;
  serial_required: boolean;
  model_must_match_inventory: boolean;
  created_at: Date;
  updated_at: Date;
};

const COLUMNS = `id::text AS id, organization_id::text AS organization_id, vendor, model_pattern, min_firmware,
  allowed_firmware, serial_required, model_must_match_inventory, created_at, updated_at`;

/** The writable columns, in the order of the INSERT and the PATCH. */
export const BASELINE_FIELDS = [
  "vendor",
  "model_pattern",
  "min_firmware",
  "allowed_firmware",
  "serial_required",
  "model_must_match_inventory",
] as const;
type Fields = Partial<Record<(typeof BASELINE_FIELDS)[number], unknown>>;

export const baselineView = (r: Row): BaselineView => ({
  ...r,
  organization_id: Number(r.organization_id),
  created_at: isoZ(r.created_at),
  updated_at: isoZ(r.updated_at),
});

/** Tenancy: a token sees the baselines of its own organizations only. */
const VISIBLE = "organization_id = ANY($1::bigint[])";

export async function insertBaseline(
  db: Pick<pg.Pool, "query">,
  org: number,
  f: Fields,
): Promise<BaselineView> {
  const res = await db.query<Row>(
    `INSERT INTO compliance_baselines (organization_id, ${BASELINE_FIELDS.join(", ")})
     VALUES ($1, $2, $3, $4, $5::text[], $6, $7) RETURNING ${COLUMNS}`,
    [org, ...BASELINE_FIELDS.map((k) => f[k])],
  );
  return baselineView(res.rows[0] as Row);
}

export async function listBaselines(
  db: Pick<pg.Pool, "query">,
  principal: Principal,
  page: Page,
): Promise<{ count: number; results: BaselineView[] }> {
  const [count, rows] = await Promise.all([
    db.query<{ n: number }>(`SELECT count(*)::int AS n FROM compliance_baselines WHERE ${VISIBLE}`, [
      principal.organizationIds,
    ]),
    db.query<Row>(
      `SELECT ${COLUMNS} FROM compliance_baselines WHERE ${VISIBLE} ORDER BY id LIMIT $2 OFFSET $3`,
      [principal.organizationIds, page.pageSize, page.offset],
    ),
  ]);
  return { count: count.rows[0]?.n ?? 0, results: rows.rows.map(baselineView) };
}

export async function findBaseline(db: Pick<pg.Pool, "query">, principal: Principal, id: string) {
  const res = await db.query<Row>(
    `SELECT ${COLUMNS} FROM compliance_baselines WHERE ${VISIBLE} AND id = $2`,
    [principal.organizationIds, id],
  );
  return res.rows[0] && baselineView(res.rows[0]);
}

/** Sets the given fields (undefined keeps a column); undefined when the baseline is not visible. */
export async function updateBaseline(
  db: Pick<pg.Pool, "query">,
  principal: Principal,
  id: string,
  f: Fields,
) {
  const given = BASELINE_FIELDS.filter((k) => f[k] !== undefined);
  const sets = given.map((k, i) => `${k} = $${i + 3}${k === "allowed_firmware" ? "::text[]" : ""}`);
  const res = await db.query<Row>(
    `UPDATE compliance_baselines SET ${[...sets, "updated_at = now()"].join(", ")}
      WHERE ${VISIBLE} AND id = $2 RETURNING ${COLUMNS}`,
    [principal.organizationIds, id, ...given.map((k) => f[k])],
  );
  return res.rows[0] && baselineView(res.rows[0]);
}

export async function deleteBaseline(db: Pick<pg.Pool, "query">, principal: Principal, id: string) {
  const res = await db.query(`DELETE FROM compliance_baselines WHERE ${VISIBLE} AND id = $2`, [
    principal.organizationIds,
    id,
  ]);
  return (res.rowCount ?? 0) > 0;
}
