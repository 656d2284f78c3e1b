import { registerConsumerLag } from "@headless-ops/bus";
import {
  createCredentialSealerFromKeys,
  createWebhookAddressGuard,
  credentialKeysOf,
} from "@headless-ops/runtime";
import { stopOnce, type Worker, type WorkerDeps } from "@headless-ops/worker";
import { createDispatcher, type DispatcherOptions } from "./delivery-dispatcher.js";
import { startEventIntake } from "./event-intake.js";
import { createNotifierMetrics } from "./metrics.js";

/**
 * The notifier worker: the durable `notifier` consumer records one delivery per matching webhook and
 * acks; the dispatcher sends them from Postgres (signed, retried with backoff, each attempt recorded).
 * `tuning` overrides options derived from the config (tests use short timeouts and retries).
 */
export function buildNotifier(deps: WorkerDeps, tuning: Partial<DispatcherOptions> = {}): Worker {
  const { config, names, registry, log } = deps;
  const keys = credentialKeysOf(config);
  // Secrets are sealed by the API under the same keys: without one nothing could be signed.
  if (!keys)
    throw new Error("the notifier needs CREDENTIAL_KEY (or CREDENTIAL_KEYS) to open webhook secrets");
  registerConsumerLag(registry, deps.jsm, [
    { stream: names.streams.operations, name: names.consumers.notifier },
  ]);
  const metrics = createNotifierMetrics(registry);
  const dispatcher = createDispatcher({
    db: deps.db.pool,
    log,
    metrics,
    sealer: keys ? createCredentialSealerFromKeys(keys) : undefined,
    guard: createWebhookAddressGuard(config),
    concurrency: config.NOTIFIER_CONCURRENCY,
    timeoutMs: config.NOTIFIER_TIMEOUT_MS,
    pollMs: config.NOTIFIER_POLL_MS,
    retry: { baseMs: config.NOTIFIER_RETRY_BASE_MS, maxMs: config.NOTIFIER_RETRY_MAX_MS },
    ...tuning,
  });
  let intake: { stop: () => Promise<void> } | undefined;
  return {
    start: async () => {
      dispatcher.start();
      intake = await startEventIntake({
        js: deps.js,
        names,
        log,
        db: deps.db.pool,
        metrics,
        retryWindowMs: config.NOTIFIER_RETRY_WINDOW_MS,
        onRecorded: dispatcher.wake,
      });
    },
    stop: stopOnce(async () => {
      await intake?.stop();
      await dispatcher.stop();
    }),
    describe: () => ({ concurrency: config.NOTIFIER_CONCURRENCY }),
  };
}
