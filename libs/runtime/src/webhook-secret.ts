import { randomBytes } from "node:crypto";
import type { CredentialBinding } from "./credentials.js";

/** A Standard Webhooks signing secret: `whsec_` and 32 random bytes in base64. */
export function generateWebhookSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/**
 * What a sealed webhook secret is bound to (API seals, notifier opens): the webhook and its
 * organization. The `webhook:` prefix keeps it apart from device ids, so a sealed secret copied into a
 * device row (or the reverse) does not open.
 */
export function webhookSecretBinding(
  webhookId: string | bigint,
  organizationId: number | string,
): CredentialBinding {
  return { deviceId: `webhook:${webhookId}`, organizationId, address: null, port: null };
}
