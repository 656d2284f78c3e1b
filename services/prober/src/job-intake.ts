import type { JetStreamClient, JsMsg } from "@headless-ops/bus";
import { type Logger, toError } from "@headless-ops/runtime";

type Consumer = Awaited<ReturnType<JetStreamClient["consumers"]["get"]>>;

export type JobIntake = {
  iterator: AsyncIterator<JsMsg>;
  /** Stops asking for more; the iterator ends once the pull in flight is over (delivered or expired). */
  close: () => void;
};

/**
 * Jobs from one durable consumer as a stream of bounded pulls (`fetch`), not `consume()`.
 *
 * Why: `consume()` keeps a pull request open on the server and refills it as messages arrive; closing
 * it unsubscribes while the server may still be delivering to that request, and those jobs are lost to
 * this replica and wait out their whole ack wait before anyone else gets them. With one
 * fetch at a time, "stop taking work" means "ask for no more": the pull in flight ends by itself (its
 * batch delivered, or it expires after `expiresMs`), every job it delivered is iterated (and handed
 * back by the caller), and nothing is left in transit. A fetch that fails (NATS restarting, heartbeats
 * missed) is retried after a pause, so the intake outlives server restarts.
 */
export function fetchIntake(
  consumer: Consumer,
  opts: { batch: number; expiresMs: number; log: Logger; retryMs?: number },
): JobIntake {
  let closing = false;
  let wake: (() => void) | undefined;
  const pause = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  async function* pulls(): AsyncGenerator<JsMsg> {
    let failures = 0;
    while (!closing) {
      try {
        const batch = await consumer.fetch({ max_messages: opts.batch, expires: opts.expiresMs });
        for await (const msg of batch) yield msg;
        failures = 0;
      } catch (err) {
        failures += 1;
        if (failures === 1 || failures % 20 === 0) {
          opts.log.warn({ err: toError(err), failures }, "job fetch failed, retrying");
        }
        if (!closing) await pause(Math.min(5_000, (opts.retryMs ?? 250) * failures));
      }
    }
  }
  return {
    iterator: pulls(),
    close: () => {
      closing = true;
      wake?.();
    },
  };
}
