import type { Queryable } from "../queryable.js";

/** Status of operations, for probers deciding whether to skip jobs of cancelled operations. */
export async function readOperationRunStates(
  client: Queryable,
  operationIds: readonly string[],
): Promise<Map<string, { status: string; cancelRequested: boolean }>> {
  const res = await client.query<{ id: string; status: string; cancelled: boolean }>(
    `SELECT id, status, cancel_requested_at IS NOT NULL AS cancelled FROM operations WHERE id = ANY($1::bigint[])`,
    [operationIds],
  );
  return new Map(res.rows.map((r) => [r.id, { status: r.status, cancelRequested: r.cancelled }]));
}
