import {
  type AddressGuard,
  type AddressGuardConfig,
  createAddressGuard,
  resolveAndCheck,
} from "./address-guard.js";

/*
 * Webhook URLs go to the internet only: besides the management-address rules (link-local, metadata,
 * DENIED_NETWORKS, loopback only with ALLOW_LOOPBACK) the private and shared ranges a cluster lives in are
 * refused, whatever ALLOWED_NETWORKS says about devices. Checked at save (API) and before every delivery
 * (notifier), which connects to the address checked here, never resolving the name again.
 */
const PRIVATE_NETWORKS = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"];

export function createWebhookAddressGuard(config: AddressGuardConfig): AddressGuard {
  return createAddressGuard({
    ALLOWED_NETWORKS: "",
    DENIED_NETWORKS: [config.DENIED_NETWORKS, ...PRIVATE_NETWORKS].filter((n) => n !== "").join(","),
    ALLOW_LOOPBACK: config.ALLOW_LOOPBACK,
  });
}

export type WebhookTarget = { url: URL; address: string; family: 4 | 6 };
export type WebhookTargetVerdict = { ok: true; target: WebhookTarget } | { ok: false; reason: string };

const isLoopback = (address: string) => address === "::1" || address.startsWith("127.");

/** Parses the URL, resolves its host, checks every answer; https unless the checked address is loopback. */
export async function checkWebhookUrl(guard: AddressGuard, raw: string): Promise<WebhookTargetVerdict> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, reason: "is not a valid URL" };
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return { ok: false, reason: "must be https" };
  if (url.username || url.password) return { ok: false, reason: "must not carry a user name or password" };
  const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
  const verdict = await resolveAndCheck(guard, host);
  if (!verdict.allowed) return { ok: false, reason: `address refused: ${verdict.reason}` };
  if (url.protocol === "http:" && !isLoopback(verdict.address)) {
    return { ok: false, reason: "must be https (http only to loopback, with ALLOW_LOOPBACK)" };
  }
  return { ok: true, target: { url, address: verdict.address, family: verdict.family } };
}
