import type { Queryable } from "@headless-ops/db";
import {
  type AddressGuard,
  type CredentialSealer,
  checkWebhookUrl,
  type Logger,
  toError,
  webhookSecretBinding,
} from "@headless-ops/runtime";
import { Webhook } from "standardwebhooks";
import { type AttemptRecord, type ClaimedDelivery, claimDue, recordAttempt } from "./delivery-store.js";
import type { NotifierMetrics } from "./metrics.js";
import { nextAttemptAt, type RetryPolicy } from "./retry-schedule.js";
import { type AttemptOutcome, postWebhook } from "./signed-request.js";

export type DispatcherOptions = {
  db: Queryable;
  log: Logger;
  metrics: NotifierMetrics;
  /** Undefined without CREDENTIAL_KEY: every attempt then fails with "cannot sign". */
  sealer: CredentialSealer | undefined;
  guard: AddressGuard;
  concurrency: number;
  timeoutMs: number;
  pollMs: number;
  retry: RetryPolicy;
};

/**
 * Sends due deliveries from Postgres, at most `concurrency` at once, each under its own deadline:
 * a receiver that never answers holds one slot for `timeoutMs`, never the others. Woken by new
 * deliveries, a freed slot, or the poll timer (retries and redeliveries).
 */
export function createDispatcher(o: DispatcherOptions) {
  const inFlight = new Set<Promise<void>>();
  // A claimed row is leased for longer than one attempt (and its record) can take, so no replica sends
  // it twice at once; a notifier killed mid-attempt leaves it due again when the lease runs out.
  const leaseMs = o.timeoutMs * 2 + 5_000;
  let stopped = false;
  let wake: (() => void) | undefined;
  let timer: NodeJS.Timeout | undefined;

  const poke = () => wake?.();

  const attempt = async (d: ClaimedDelivery): Promise<AttemptOutcome> => {
    const checked = await checkWebhookUrl(o.guard, d.url);
    if (!checked.ok) return { statusCode: null, latencyMs: 0, error: checked.reason };
    if (!o.sealer) throw new Error("CREDENTIAL_KEY is not set");
    const secret = o.sealer.open(d.secret_sealed, webhookSecretBinding(d.webhook_id, d.organization_id));
    const body = JSON.stringify(d.payload);
    const now = new Date();
    const signature = new Webhook(String(secret)).sign(d.msg_id, now, body);
    const headers = {
      "webhook-id": d.msg_id,
      "webhook-timestamp": String(Math.floor(now.getTime() / 1000)),
      "webhook-signature": signature,
    };
    return postWebhook(checked.target, headers, body, o.timeoutMs);
  };

  const deliver = async (d: ClaimedDelivery): Promise<void> => {
    o.metrics.inFlight.inc();
    let outcome: AttemptOutcome;
    let unsignable = false;
    try {
      outcome = await attempt(d);
    } catch (err) {
      // A secret that does not open (key removed, row tampered with) will not open next time either:
      // the delivery fails at once (redeliver by hand once the key is back).
      unsignable = true;
      outcome = { statusCode: null, latencyMs: 0, error: `cannot sign: ${toError(err).message}` };
    } finally {
      o.metrics.inFlight.dec();
    }
    const ok = outcome.statusCode !== null && outcome.statusCode >= 200 && outcome.statusCode < 300;
    const next =
      ok || unsignable ? undefined : nextAttemptAt(o.retry, d.attempts + 1, new Date(), d.retry_until);
    const record: AttemptRecord = {
      deliveryId: d.id,
      ...outcome,
      outcome: ok
        ? { status: "succeeded" }
        : next
          ? { status: "pending", nextAttemptAt: next }
          : { status: "failed" },
    };
    o.metrics.attempts.inc({ outcome: ok ? "succeeded" : next ? "retry" : "failed" });
    o.metrics.latency.observe(outcome.latencyMs / 1000);
    const log = {
      deliveryId: d.id,
      webhookId: d.webhook_id,
      msgId: d.msg_id,
      statusCode: outcome.statusCode,
    };
    if (ok) o.log.debug(log, "webhook delivered");
    else o.log.info({ ...log, error: outcome.error, nextAttemptAt: next }, "webhook attempt failed");
    await recordAttempt(o.db, record);
  };

  const loop = async (): Promise<void> => {
    while (!stopped) {
      const free = o.concurrency - inFlight.size;
      let claimed = 0;
      if (free > 0) {
        try {
          const due = await claimDue(o.db, free, leaseMs);
          claimed = due.length;
          for (const d of due) {
            const p: Promise<void> = deliver(d)
              .catch((err) =>
                o.log.error({ err: toError(err), deliveryId: d.id }, "recording an attempt failed"),
              )
              .finally(() => {
                inFlight.delete(p);
                poke();
              });
            inFlight.add(p);
          }
        } catch (err) {
          o.log.warn({ err: toError(err) }, "claiming deliveries failed; retrying");
        }
      }
      // All slots filled by this claim: more may be due, look again as soon as one frees.
      if (claimed > 0 && claimed === free) continue;
      if (stopped) break;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, o.pollMs);
      });
      clearTimeout(timer);
      wake = undefined;
    }
  };

  let running: Promise<void> | undefined;
  return {
    start: () => {
      running = loop();
    },
    /** New deliveries were recorded: look now rather than at the next poll. */
    wake: poke,
    /** Stops claiming; attempts in flight finish (each bounded by its timeout) and are recorded. */
    stop: async () => {
      stopped = true;
      poke();
      await running;
      await Promise.allSettled([...inFlight]);
    },
  };
}
