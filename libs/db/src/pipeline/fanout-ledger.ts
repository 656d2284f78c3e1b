import type pg from "pg";

type Queryable = Pick<pg.PoolClient, "query">;

export type FanoutState = {
  id: string;
  operationType: string;
  priority: number;
  status: string;
  request: unknown;
  cursor: string | null;
  fanoutDone: boolean;
  dispatchRound: number;
  cancelRequested: boolean;
};

/** The operation header a fan-out needs; undefined when the operation does not exist. */
export async function loadFanoutState(
  client: Queryable,
  operationId: string,
): Promise<FanoutState | undefined> {
  const res = await client.query<{
    id: string;
    operation_type: string;
    priority: number;
    status: string;
    request: unknown;
    fanout_cursor: string | null;
    fanout_done: boolean;
    dispatch_round: number;
    cancelled: boolean;
  }>(
    `SELECT id, operation_type, priority, status, request, fanout_cursor, fanout_done, dispatch_round,
            cancel_requested_at IS NOT NULL AS cancelled
       FROM operations WHERE id = $1`,
    [operationId],
  );
  const r = res.rows[0];
  if (!r) return undefined;
  return {
    id: r.id,
    operationType: r.operation_type,
    priority: r.priority,
    status: r.status,
    request: r.request,
    cursor: r.fanout_cursor,
    fanoutDone: r.fanout_done,
    dispatchRound: r.dispatch_round,
    cancelRequested: r.cancelled,
  };
}

/** One ledger page: device ids in order and each device's job entry, already JSON (built by Postgres). */
export type FanoutPage = { deviceIds: string[]; jobJson: string[] };

/**
 * Reads the next non-terminal ledger rows after `cursor`, in device_id order, joined with the
 * device's driver, address, port and simulation profile. Postgres builds each job entry's JSON,
 * so the scheduler only concatenates strings (no parse/stringify per device).
 */
export async function readFanoutPage(
  client: Queryable,
  operationId: string,
  cursor: string | null,
  limit: number,
): Promise<FanoutPage> {
  const res = await client.query<{ device_id: string; job: string }>(
    `SELECT od.device_id,
            json_strip_nulls(json_build_object(
              'device_id', od.device_id::text, 'driver', d.driver, 'address', d.mgmt_address,
              'port', d.mgmt_port, 'sim', d.sim_profile))::text AS job
       FROM operation_devices od JOIN devices d ON d.id = od.device_id
      WHERE od.operation_id = $1 AND od.device_id > $2 AND od.status IN ('pending', 'dispatched')
      ORDER BY od.device_id
      LIMIT $3`,
    [operationId, cursor ?? "0", limit],
  );
  const deviceIds = new Array<string>(res.rows.length);
  const jobJson = new Array<string>(res.rows.length);
  res.rows.forEach((row, i) => {
    deviceIds[i] = row.device_id;
    jobJson[i] = row.job;
  });
  return { deviceIds, jobJson };
}

/**
 * Moves the cursor after the page's publishes were acked. Conditioned on the dispatch round and
 * the operation still running, so a requeue or an ended operation stops a stale fan-out.
 * Returns false when the fan-out must stop (cancelled, ended, or requeued).
 */
export async function advanceFanoutCursor(
  client: Queryable,
  operationId: string,
  dispatchRound: number,
  cursor: string,
): Promise<boolean> {
  const res = await client.query<{ cancelled: boolean }>(
    `UPDATE operations SET fanout_cursor = $3, updated_at = now()
      WHERE id = $1 AND dispatch_round = $2 AND status = 'in_progress'
      RETURNING cancel_requested_at IS NOT NULL AS cancelled`,
    [operationId, dispatchRound, cursor],
  );
  const row = res.rows[0];
  return row !== undefined && !row.cancelled;
}

/** Marks the fan-out finished for this dispatch round. */
export async function markFanoutDone(
  client: Queryable,
  operationId: string,
  dispatchRound: number,
): Promise<void> {
  await client.query(
    `UPDATE operations SET fanout_done = true, updated_at = now()
      WHERE id = $1 AND dispatch_round = $2 AND status = 'in_progress'`,
    [operationId, dispatchRound],
  );
}
