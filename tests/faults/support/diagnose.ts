import { jetstreamManager, natsServers } from "@headless-ops/bus";
import { natsNames, priorities } from "@headless-ops/contracts";
import type { DbHandle } from "@headless-ops/db";
import { connect } from "@nats-io/transport-node";

/** What a stalled operation looks like from the outside: its row, unfinished ledger rows, consumer states. */
export async function diagnose(
  pool: DbHandle["pool"],
  natsUrl: string,
  prefix: string,
  operationId: string,
): Promise<string> {
  const lines: string[] = [];
  const op = await pool
    .query(
      `SELECT status, total_devices, processed_devices, fanout_cursor, fanout_done, dispatch_round, updated_at
         FROM operations WHERE id = $1`,
      [operationId],
    )
    .catch((e: Error) => ({ rows: [e.message] }));
  lines.push(`operation: ${JSON.stringify(op.rows[0])}`);
  const pending = await pool
    .query(
      `SELECT status, count(*)::int AS n, min(device_id) AS first, max(device_id) AS last
         FROM operation_devices WHERE operation_id = $1 AND status IN ('pending', 'dispatched') GROUP BY 1`,
      [operationId],
    )
    .catch((e: Error) => ({ rows: [e.message] }));
  lines.push(`unfinished ledger rows: ${JSON.stringify(pending.rows)}`);
  const nc = await connect({ servers: natsServers(natsUrl), timeout: 3_000 }).catch(() => undefined);
  if (!nc) return [...lines, "nats unreachable"].join("\n");
  try {
    const jsm = await jetstreamManager(nc);
    const n = natsNames(prefix);
    const consumers = [
      [n.streams.operations, n.consumers.scheduler],
      ...priorities.map((p) => [n.streams.deviceJobs, n.consumers.prober(p)]),
      [n.streams.deviceResults, n.consumers.aggregator],
    ] as const;
    for (const stream of Object.values(n.streams)) {
      const info = await jsm.streams.info(stream).catch(() => undefined);
      lines.push(
        `stream ${stream}: ${JSON.stringify(info?.state && { messages: info.state.messages, last_seq: info.state.last_seq })}`,
      );
    }
    for (const [stream, name] of consumers) {
      const info = await jsm.consumers.info(stream, name).catch(() => undefined);
      lines.push(
        `consumer ${name}: ${JSON.stringify(
          info && {
            pending: info.num_pending,
            ack_pending: info.num_ack_pending,
            redelivered: info.num_redelivered,
            waiting: info.num_waiting,
            delivered: info.delivered.stream_seq,
            ack_floor: info.ack_floor.stream_seq,
          },
        )}`,
      );
    }
  } finally {
    await nc.close();
  }
  return lines.join("\n");
}
