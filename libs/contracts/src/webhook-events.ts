import { z } from "zod";
import { type ProgressMilestone, progressMilestones } from "./message-ids.js";
import {
  OperationFinishedEvent,
  OperationMilestoneEvent,
  OperationStartedEvent,
} from "./operation-events.js";

/*
 * The webhook side of the durable operation events (operation-events.ts): the event types a webhook
 * subscribes to, named as the subjects end, and the schema the notifier parses each with.
 */

export const WebhookMilestone = z.union(progressMilestones.map((m) => z.literal(m)));
export type WebhookMilestone = ProgressMilestone;

export const WebhookEventType = z.enum([
  "operation.started",
  "operation.finished",
  "operation.progress_milestone",
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** The event schema of each webhook event type. */
export const webhookEventSchemas = {
  "operation.started": OperationStartedEvent,
  "operation.finished": OperationFinishedEvent,
  "operation.progress_milestone": OperationMilestoneEvent,
} as const;
