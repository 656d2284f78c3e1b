import type { Queryable } from "../queryable.js";

export type OperationRunState = {
  status: string;
  cancelRequested: boolean;
  /** Devices per second across all probers: the operation's option, else its organizations' smallest default; null: unlimited. */
  maxDevicesPerSecond: number | null;
};

/**
 * Status and effective rate limit of operations, for probers deciding whether to skip jobs of
 * cancelled operations and how fast to probe. An operation over several organizations with
 * different defaults gets the smallest: the gentlest any of them asked for.
 */
export async function readOperationRunStates(
  client: Queryable,
  operationIds: readonly string[],
): Promise<Map<string, OperationRunState>> {
  const res = await client.query<{ id: string; status: string; cancelled: boolean; rate: number | null }>(
    `SELECT o.id, o.status, o.cancel_requested_at IS NOT NULL AS cancelled,
            coalesce((o.request #>> '{options,max_devices_per_second}')::int,
                     (SELECT min(g.max_devices_per_second) FROM organizations g
                       WHERE g.id = ANY(o.organization_ids))) AS rate
       FROM operations o WHERE o.id = ANY($1::bigint[])`,
    [operationIds],
  );
  return new Map(
    res.rows.map((r) => [
      r.id,
      { status: r.status, cancelRequested: r.cancelled, maxDevicesPerSecond: r.rate },
    ]),
  );
}
