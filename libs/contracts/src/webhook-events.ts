import { z } from "zod";
import { OperationStatus, OperationType } from "./domain.js";

/*
 * The durable operation events webhooks are made of, as SSE-CONTRACT.md (issue 13) defines them. The
 * `events` branch publishes them from the outbox on the OPERATIONS stream; when it lands, its schemas
 * are the ones to keep (these are the same fields) — this file then only adds the webhook names.
 */

const Id = z.string().regex(/^\d+$/, "numeric id");
const Iso = z.iso.datetime({ offset: true });

/** `ops.operation.started` (`op-<id>-started`): scheduled → running. */
export const OperationStartedEvent = z.object({
  v: z.literal(1),
  operation_id: Id,
  status: z.literal("running"),
  organization_ids: z.array(z.number().int()),
  operation_type: OperationType,
  total_devices: z.number().int(),
  started_at: Iso,
});
export type OperationStartedEvent = z.infer<typeof OperationStartedEvent>;

/** `ops.operation.finished` (`op-<id>-finished`): a terminal transition. */
export const OperationFinishedEvent = z.object({
  v: z.literal(1),
  operation_id: Id,
  status: OperationStatus,
  organization_ids: z.array(z.number().int()),
  operation_type: OperationType,
  total_devices: z.number().int(),
  processed_devices: z.number().int(),
  failed_devices: z.number().int(),
  error_summary: z.record(z.string(), z.number()),
  finished_at: Iso,
});
export type OperationFinishedEvent = z.infer<typeof OperationFinishedEvent>;

export const WebhookMilestone = z.union([z.literal(25), z.literal(50), z.literal(75)]);
export type WebhookMilestone = z.infer<typeof WebhookMilestone>;

/** `ops.operation.progress_milestone` (`op-<id>-m<25|50|75>`): progress first crossed a milestone. */
export const OperationMilestoneEvent = z.object({
  v: z.literal(1),
  operation_id: Id,
  milestone: WebhookMilestone,
  organization_ids: z.array(z.number().int()),
  operation_type: OperationType,
  processed_devices: z.number().int(),
  total_devices: z.number().int(),
});
export type OperationMilestoneEvent = z.infer<typeof OperationMilestoneEvent>;

export const WebhookEventType = z.enum([
  "operation.started",
  "operation.finished",
  "operation.progress_milestone",
]);
export type WebhookEventType = z.infer<typeof WebhookEventType>;

/** The event schema of each webhook event type, keyed by the last token of its subject. */
export const webhookEventSchemas = {
  "operation.started": OperationStartedEvent,
  "operation.finished": OperationFinishedEvent,
  "operation.progress_milestone": OperationMilestoneEvent,
} as const;
