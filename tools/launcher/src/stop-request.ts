import type { Logger } from "@headless-ops/runtime";

/** Signals closer together than this are one Ctrl-C (npm forwards the terminal's SIGINT again). */
const SIGNAL_DEBOUNCE_MS = 1_000;

/**
 * The launcher's one "time to stop" decision: the first request (a signal, a dying child, a
 * failed start) wins and fixes the exit code; `signal` aborts whatever is still starting.
 */
export class StopRequest {
  readonly stopped: Promise<number>;
  private readonly controller = new AbortController();
  private resolve: (code: number) => void = () => undefined;

  constructor() {
    this.stopped = new Promise<number>((resolve) => {
      this.resolve = resolve;
    });
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  request(code: number): void {
    if (this.controller.signal.aborted) return;
    this.controller.abort();
    this.resolve(code);
  }

  /** SIGINT/SIGTERM request a clean stop (exit 0); a second one, a second later, calls `force`. */
  installSignalHandlers(log: Logger, force: () => never): void {
    let firstAt = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      const now = Date.now();
      if (firstAt === 0) {
        firstAt = now;
        log.info({ signal }, "stopping services (Ctrl-C again to force)");
        this.request(0);
      } else if (now - firstAt > SIGNAL_DEBOUNCE_MS) {
        log.warn({ signal }, "second signal, killing services");
        force();
      }
    };
    process.on("SIGINT", onSignal);
    process.on("SIGTERM", onSignal);
  }
}
