import { setTimeout as sleep } from "node:timers/promises";
import type { ApiClient } from "@headless-ops/client";
import { unwrap } from "./api-error.js";
import { CliError } from "./cli-error.js";
import type { StreamEvent } from "./event-stream.js";
import { isTerminal, operationEventSchema } from "./operation-event.js";

/**
 * For a server without the event stream (it predates issue 13): the same events made by polling
 * the reference GET once a second, the rate taken from the processed count between two polls.
 */
export async function* pollOperationEvents(
  api: ApiClient,
  operationId: string,
  opts: { intervalMs?: number; signal?: AbortSignal } = {},
): AsyncGenerator<StreamEvent> {
  let previous: { at: number; processed: number } | undefined;
  for (let first = true; ; first = false) {
    const data = unwrap(
      await api.GET("/api/v1/inventory_device_serial_headless_operation/", {
        params: { query: { id: operationId } },
      }),
    );
    const parsed = operationEventSchema.safeParse(data.results[0]);
    if (!parsed.success) throw new CliError(`operation ${operationId}: unexpected answer from the server`);
    const op = parsed.data;
    const now = Date.now();
    if (op.devices_per_second === undefined && previous && now > previous.at) {
      op.devices_per_second = ((op.processed_devices - previous.processed) * 1000) / (now - previous.at);
    }
    previous = { at: now, processed: op.processed_devices };
    const terminal = isTerminal(op.status);
    yield { type: terminal ? "finished" : first ? "snapshot" : "progress", operation: op };
    if (terminal) return;
    await sleep(opts.intervalMs ?? 1_000, undefined, { signal: opts.signal });
  }
}
