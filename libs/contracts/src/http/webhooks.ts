import { z } from "zod";
import { OrganizationId } from "../domain.js";
import { WebhookEventType, WebhookMilestone } from "../webhook-events.js";
import { pageOf } from "./pagination.js";

const Iso = z.iso.datetime({ offset: true });

/** Longest webhook URL accepted: checked before it is parsed or resolved. */
export const WEBHOOK_URL_MAX = 2_048;

const WebhookUrl = z
  .string()
  .min(1)
  .max(WEBHOOK_URL_MAX)
  .describe("https URL of the receiver (http only on loopback with ALLOW_LOOPBACK)");
const Events = z
  .array(WebhookEventType)
  .min(1)
  .max(3)
  .refine((list) => new Set(list).size === list.length, "events must not repeat");
const Milestones = z
  .array(WebhookMilestone)
  .max(3)
  .refine((list) => new Set(list).size === list.length, "milestones must not repeat")
  .describe(
    "Progress milestones (25, 50, 75) delivered with operation.progress_milestone; default all three",
  );

/** `POST /api/v1/webhooks/`. */
export const WebhookCreateBody = z
  .strictObject({
    organization_id: OrganizationId,
    url: WebhookUrl,
    events: Events,
    milestones: Milestones.optional(),
    description: z.string().max(500).optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: "NewWebhook" });
export type WebhookCreateBody = z.infer<typeof WebhookCreateBody>;

/** `PATCH /api/v1/webhooks/{id}`: any of the fields; the organization and secret stay. */
export const WebhookUpdateBody = z
  .strictObject({
    url: WebhookUrl.optional(),
    events: Events.optional(),
    milestones: Milestones.optional(),
    description: z.string().max(500).nullable().optional(),
    enabled: z.boolean().optional(),
  })
  .meta({ id: "WebhookUpdate" });
export type WebhookUpdateBody = z.infer<typeof WebhookUpdateBody>;

/** A webhook as listed: never its secret. */
export const WebhookView = z
  .object({
    id: z.string(),
    organization_id: z.number().int(),
    url: z.string(),
    events: z.array(WebhookEventType),
    milestones: z.array(WebhookMilestone),
    description: z.string().nullable(),
    enabled: z.boolean(),
    created_at: Iso,
    updated_at: Iso,
  })
  .meta({ id: "Webhook" });
export type WebhookView = z.infer<typeof WebhookView>;

/** The create answer: the only time the signing secret is shown. */
export const WebhookCreatedView = WebhookView.extend({
  secret: z
    .string()
    .describe("Standard Webhooks signing secret (`whsec_<base64>`), shown once; stored sealed"),
}).meta({ id: "CreatedWebhook" });
export type WebhookCreatedView = z.infer<typeof WebhookCreatedView>;

export const WebhookAttemptView = z
  .object({
    attempted_at: Iso,
    status_code: z.number().int().nullable().describe("The receiver's answer; null when none came"),
    latency_ms: z.number().int(),
    error: z.string().nullable(),
  })
  .meta({ id: "WebhookAttempt" });

export const WebhookDeliveryStatus = z.enum(["pending", "succeeded", "failed"]);

/** One message to one webhook with every attempt made, oldest first. */
export const WebhookDeliveryView = z
  .object({
    id: z.string(),
    webhook_id: z.string(),
    msg_id: z.string().describe("The `webhook-id` header: the same on every attempt"),
    event_type: WebhookEventType,
    operation_id: z.string().nullable(),
    status: WebhookDeliveryStatus,
    attempt_count: z.number().int(),
    next_attempt_at: Iso.nullable(),
    created_at: Iso,
    finished_at: Iso.nullable(),
    attempts: z.array(WebhookAttemptView),
  })
  .meta({ id: "WebhookDelivery" });
export type WebhookDeliveryView = z.infer<typeof WebhookDeliveryView>;

export const PaginatedWebhooks = pageOf(WebhookView).meta({ id: "PaginatedWebhooks" });
export const PaginatedWebhookDeliveries = pageOf(WebhookDeliveryView).meta({
  id: "PaginatedWebhookDeliveries",
});
