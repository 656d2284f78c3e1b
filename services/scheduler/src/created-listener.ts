import { decodeOrTerm, type JetStreamClient } from "@headless-ops/bus";
import { contracts, type NatsNames } from "@headless-ops/contracts";
import type { Logger } from "@headless-ops/runtime";

/**
 * Durable consumer of `operation.created`. The event is only a wake-up: the scheduler reads
 * what is due from Postgres, so a lost event costs at most one sweep interval. Its trace context is
 * not needed either: the fan-out continues the one stored with the operation.
 */
export async function listenOperationCreated(opts: {
  js: JetStreamClient;
  names: NatsNames;
  log: Logger;
  onCreated: (operationId: string) => void;
}): Promise<{ stop: () => Promise<void> }> {
  const consumer = await opts.js.consumers.get(opts.names.streams.operations, opts.names.consumers.scheduler);
  const messages = await consumer.consume({ max_messages: 100 });
  const done = (async () => {
    for await (const msg of messages) {
      const event = decodeOrTerm(msg, contracts.operationCreated.schema, opts.log, "event");
      if (!event) continue;
      opts.onCreated(event.operation_id);
      msg.ack();
    }
  })();
  return {
    stop: async () => {
      await messages.close();
      await done.catch(() => undefined);
    },
  };
}
