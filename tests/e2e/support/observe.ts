import { jetstreamManager } from "@headless-ops/bus";
import { DeviceResultBatch, natsNames } from "@headless-ops/contracts";
import { connect } from "@nats-io/transport-node";

/** Sum of a Prometheus counter over all its label sets, read from a service's /metrics. */
export async function metricSum(baseUrl: string, name: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  let sum = 0;
  for (const line of text.split("\n")) {
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (m && m[1] === name) sum += Number(m[3]);
  }
  return sum;
}

/**
 * Every device result published for one operation, as the DEVICE_RESULTS stream (limits
 * retention, so nothing is removed on ack) holds them: device id → number of results.
 */
export async function resultsInStream(
  natsUrl: string,
  prefix: string,
  operationId: string,
): Promise<Map<string, number>> {
  const nc = await connect({ servers: natsUrl });
  try {
    const jsm = await jetstreamManager(nc);
    const stream = natsNames(prefix).streams.deviceResults;
    const { state } = await jsm.streams.info(stream);
    const perDevice = new Map<string, number>();
    for (let seq = state.first_seq; seq <= state.last_seq && state.messages > 0; seq++) {
      const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!msg) continue;
      const batch = DeviceResultBatch.parse(msg.json());
      if (batch.operation_id !== operationId) continue;
      for (const r of batch.results) perDevice.set(r.device_id, (perDevice.get(r.device_id) ?? 0) + 1);
    }
    return perDevice;
  } finally {
    await nc.close();
  }
}
