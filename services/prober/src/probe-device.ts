import {
  type DeviceResult,
  type ErrorCode,
  type JobDevice,
  type OperationType,
  type ProbeOptions,
  transientErrorCodes,
} from "@headless-ops/contracts";
import { isoNow } from "./clock.js";
import type { DeadlineSlices } from "./deadlines.js";
import type { ProbeNeeds, ProbeOutcome } from "./drivers/driver.js";
import type { DriverRegistry } from "./drivers/registry.js";

export type ProbePolicy = {
  timeoutMs: number;
  maxAttempts: number;
  backoffMs: number;
};

export type ProbeContext = {
  drivers: DriverRegistry;
  policy: ProbePolicy;
  deadlines: DeadlineSlices;
  operationType: OperationType;
  options: ProbeOptions;
  needs: ProbeNeeds;
  /** Aborted on forced shutdown: no more retries. */
  signal: AbortSignal;
  /** Called after every attempt (metrics). */
  onAttempt?: (outcome: ProbeOutcome, seconds: number) => void;
};

const transient = new Set<ErrorCode>(transientErrorCodes);

/** One attempt under its deadline; a driver that throws or overruns is classified, never thrown. */
function attemptOnce(ctx: ProbeContext, device: JobDevice, attempt: number): Promise<ProbeOutcome> {
  const driver = ctx.drivers.get(device.driver);
  if (!driver) {
    return Promise.resolve({
      ok: false,
      code: "internal_errors",
      message: `no driver '${device.driver}' in this prober`,
    });
  }
  const timeoutMs = ctx.options.probe_timeout_ms ?? ctx.policy.timeoutMs;
  return new Promise<ProbeOutcome>((resolve) => {
    let done = false;
    const finish = (outcome: ProbeOutcome) => {
      if (done) return;
      done = true;
      deadline.cancel();
      resolve(outcome);
    };
    const deadline = ctx.deadlines.after(timeoutMs, () =>
      finish({ ok: false, code: "connection_timeouts", message: `no answer within ${timeoutMs} ms` }),
    );
    driver
      .probe({
        device,
        operationType: ctx.operationType,
        options: ctx.options,
        needs: ctx.needs,
        attempt,
        signal: deadline.signal,
        timeoutMs,
      })
      .then(finish, (err: unknown) =>
        finish({
          ok: false,
          code: "internal_errors",
          message: err instanceof Error ? err.message.slice(0, 500) : "driver failed",
        }),
      );
  });
}

function wait(ms: number, signal: AbortSignal): Promise<void> {
  if (ms <= 0 || signal.aborted) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/**
 * Probes one device: transient failures (transientErrorCodes) are retried with exponential backoff
 * up to maxAttempts, then reported failed; other failures are final at once.
 */
export async function probeDevice(ctx: ProbeContext, device: JobDevice): Promise<DeviceResult> {
  const startedAt = isoNow();
  let attempt = 0;
  for (;;) {
    attempt += 1;
    const t0 = performance.now();
    const outcome = await attemptOnce(ctx, device, attempt);
    ctx.onAttempt?.(outcome, (performance.now() - t0) / 1000);
    // Literal objects, not spreads: this runs once per device at tens of thousands per second.
    if (outcome.ok) {
      return {
        device_id: device.device_id,
        outcome: "succeeded",
        observed: outcome.observed,
        attempts: attempt,
        started_at: startedAt,
        finished_at: isoNow(),
      };
    }
    const retry = transient.has(outcome.code) && attempt < ctx.policy.maxAttempts && !ctx.signal.aborted;
    if (!retry) {
      return {
        device_id: device.device_id,
        attempts: attempt,
        started_at: startedAt,
        outcome: "failed",
        error_code: outcome.code,
        error_message: outcome.message.slice(0, 1024),
        finished_at: isoNow(),
      };
    }
    await wait(ctx.policy.backoffMs * 2 ** (attempt - 1), ctx.signal);
  }
}
