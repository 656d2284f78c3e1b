import { WEBHOOK_URL_MAX } from "@headless-ops/contracts";
import { type AddressGuard, checkWebhookUrl } from "@headless-ops/runtime";

/**
 * Why a webhook URL may not be saved, or undefined when it may: https (http only to loopback with
 * ALLOW_LOOPBACK), its host resolved now and every answer passing the webhook address guard. The
 * notifier checks again before each delivery, as a DNS answer can change after the save.
 */
export async function webhookUrlProblem(guard: AddressGuard, url: string): Promise<string | undefined> {
  if (url.length > WEBHOOK_URL_MAX) return `must be at most ${WEBHOOK_URL_MAX} characters`;
  const verdict = await checkWebhookUrl(guard, url);
  return verdict.ok ? undefined : verdict.reason;
}
