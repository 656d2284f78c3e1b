import { decodeMessage, type JetStreamClient, type JsMsg, redeliveryDelay } from "@headless-ops/bus";
import {
  type NatsNames,
  operationFinishedMsgId,
  operationMilestoneMsgId,
  operationStartedMsgId,
  type WebhookEventType,
  webhookEventSchemas,
} from "@headless-ops/contracts";
import type { Queryable } from "@headless-ops/db";
import { type Logger, toError } from "@headless-ops/runtime";
import { type EventToDeliver, recordDeliveries } from "./delivery-store.js";
import type { NotifierMetrics } from "./metrics.js";

export type EventIntakeOptions = {
  js: JetStreamClient;
  names: NatsNames;
  log: Logger;
  db: Queryable;
  metrics: NotifierMetrics;
  retryWindowMs: number;
  /** Called after deliveries were recorded, so the dispatcher sends them at once. */
  onRecorded: () => void;
};

function eventTypeOf(names: NatsNames, subject: string): WebhookEventType | undefined {
  if (subject === names.subjects.operationStarted) return "operation.started";
  if (subject === names.subjects.operationFinished) return "operation.finished";
  if (subject === names.subjects.operationMilestone) return "operation.progress_milestone";
  return undefined;
}

/** The decoded event as deliveries to record, or undefined (after `term`) when it does not parse. */
function toDelivery(o: EventIntakeOptions, msg: JsMsg, type: WebhookEventType): EventToDeliver | undefined {
  const decoded = decodeMessage(msg, webhookEventSchemas[type]);
  if (!decoded.ok) {
    o.log.warn({ seq: msg.seq, subject: msg.subject, reason: decoded.reason }, "invalid event terminated");
    msg.term();
    return undefined;
  }
  const data = decoded.value;
  const milestone = "milestone" in data ? data.milestone : null;
  // The event's own message id: the same event always makes the same webhook-id.
  const eventMsgId =
    milestone !== null
      ? operationMilestoneMsgId(data.operation_id, milestone)
      : type === "operation.started"
        ? operationStartedMsgId(data.operation_id)
        : operationFinishedMsgId(data.operation_id);
  const timestamp =
    "finished_at" in data
      ? data.finished_at
      : "started_at" in data
        ? data.started_at
        : new Date().toISOString();
  return {
    eventMsgId,
    type,
    operationId: data.operation_id,
    organizationIds: data.organization_ids,
    milestone,
    payload: { type, timestamp, data },
    retryWindowMs: o.retryWindowMs,
  };
}

/**
 * The durable `notifier` consumer over the operation events: each webhook event becomes one delivery
 * row per matching webhook, then the message is acked (the HTTP work runs from Postgres, so a receiver
 * never holds a message). Other operation events (`operation.created`) are acked untouched.
 */
export async function startEventIntake(o: EventIntakeOptions): Promise<{ stop: () => Promise<void> }> {
  const consumer = await o.js.consumers.get(o.names.streams.operations, o.names.consumers.notifier);
  const messages = await consumer.consume({ max_messages: 100 });
  const done = (async () => {
    for await (const msg of messages) {
      const type = eventTypeOf(o.names, msg.subject);
      if (!type) {
        msg.ack();
        continue;
      }
      const event = toDelivery(o, msg, type);
      if (!event) continue;
      try {
        const recorded = await recordDeliveries(o.db, event);
        msg.ack();
        o.metrics.events.inc({ type });
        if (recorded > 0) o.onRecorded();
      } catch (err) {
        o.log.warn(
          { err: toError(err), subject: msg.subject },
          "recording deliveries failed; retrying the event",
        );
        msg.nak(redeliveryDelay(msg, 500));
      }
    }
  })();
  return {
    stop: async () => {
      await messages.close();
      await done.catch(() => undefined);
    },
  };
}
