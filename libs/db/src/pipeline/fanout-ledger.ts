import { StoredOperationRequest } from "@headless-ops/contracts";
import type { Queryable } from "../queryable.js";

export type FanoutState = {
  id: string;
  operationType: string;
  priority: number;
  status: string;
  /** Read through its schema: a claimed operation's request parsed at claim, so this cannot fail. */
  request: StoredOperationRequest;
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
    request: StoredOperationRequest.parse(r.request),
    cursor: r.fanout_cursor,
    fanoutDone: r.fanout_done,
    dispatchRound: r.dispatch_round,
    cancelRequested: r.cancelled,
  };
}

/**
 * One ledger page. `deviceIds` and `jobJson` are parallel: the devices to publish, in order, and
 * each one's job entry as JSON. `last` is the last ledger row read, including devices deleted since
 * the claim, which get no job (the requeue and the operation's timeout end their rows): the cursor
 * moves past them and a page of deleted devices does not end the fan-out. Undefined: no rows left.
 */
export type FanoutPage = { deviceIds: string[]; jobJson: string[]; last: string | undefined };

/**
 * Reads the next non-terminal ledger rows after `cursor`, in device_id order, joined with the
 * device's driver, address, port and simulation profile. The job entry's JSON is written here from
 * the columns (the driver and address through JSON.stringify, the profile as Postgres's jsonb text
 * with its nulls stripped): building it with json_build_object in Postgres cost ~2.5 µs per device
 * of the database's CPU, which the pipeline is short of, for what string concatenation does here.
 */
export async function readFanoutPage(
  client: Queryable,
  operationId: string,
  cursor: string | null,
  limit: number,
): Promise<FanoutPage> {
  // The page is taken from the primary key in order (LIMIT first), then each device is looked up
  // by id: a join would let the planner scan every remaining row per page (O(n²) per operation).
  const res = await client.query<{
    device_id: string;
    driver: string | null;
    address: string | null;
    port: number | null;
    sim: string | null;
  }>(
    `WITH page AS MATERIALIZED (
       SELECT device_id FROM operation_devices
        WHERE operation_id = $1 AND device_id > $2 AND status IN ('pending', 'dispatched')
        ORDER BY operation_id, device_id
        LIMIT $3)
     SELECT p.device_id, d.driver, d.address, d.port, d.sim
       FROM page p
       LEFT JOIN LATERAL (
         SELECT driver, mgmt_address AS address, mgmt_port AS port, jsonb_strip_nulls(sim_profile)::text AS sim
           FROM devices WHERE id = p.device_id) d ON true
      ORDER BY p.device_id`,
    [operationId, cursor ?? "0", limit],
  );
  const deviceIds: string[] = [];
  const jobJson: string[] = [];
  for (const r of res.rows) {
    if (r.driver === null) continue; // deleted since the claim
    let job = `{"device_id":"${r.device_id}","driver":${JSON.stringify(r.driver)}`;
    if (r.address !== null) job += `,"address":${JSON.stringify(r.address)}`;
    if (r.port !== null) job += `,"port":${r.port}`;
    if (r.sim !== null) job += `,"sim":${r.sim}`;
    deviceIds.push(r.device_id);
    jobJson.push(`${job}}`);
  }
  return { deviceIds, jobJson, last: res.rows.at(-1)?.device_id };
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

/**
 * Planner settings for the dedicated fan-out session: a new operation's ledger rows have no
 * statistics yet, and the planner then prefers a bitmap scan plus sort over all remaining rows
 * to the ordered primary-key scan. `resetFanoutSession` undoes this before the pool reuses it.
 */
export async function prepareFanoutSession(client: Queryable): Promise<void> {
  await client.query("SET enable_bitmapscan = off; SET enable_seqscan = off");
}

export async function resetFanoutSession(client: Queryable): Promise<void> {
  await client.query("RESET enable_bitmapscan; RESET enable_seqscan");
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
