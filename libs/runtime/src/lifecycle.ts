import type { Logger } from "pino";

type Step = { name: string; run: () => Promise<void> | void };

/**
 * One shutdown coordinator per process. Steps run in reverse registration order
 * (stop intake first, close connections last), each guarded, within a deadline.
 * `shutdown()` is idempotent: every caller gets the same promise.
 */
export class Lifecycle {
  private readonly steps: Step[] = [];
  private shutdownPromise: Promise<void> | undefined;
  private signals = 0;
  readonly abort = new AbortController();

  constructor(
    private readonly log: Logger,
    private readonly graceMs: number,
  ) {}

  /** True once shutdown has begun: loops check it to stop taking work. */
  get stopping(): boolean {
    return this.abort.signal.aborted;
  }

  /** Registers a cleanup step; steps run last-registered first. */
  onShutdown(name: string, run: Step["run"]): void {
    this.steps.push({ name, run });
  }

  /** SIGTERM/SIGINT start a graceful shutdown; a second signal forces exit 1. */
  installSignalHandlers(exit: (code: number) => void = (code) => process.exit(code)): void {
    const handler = (signal: NodeJS.Signals) => {
      this.signals += 1;
      if (this.signals > 1) {
        this.log.warn({ signal }, "second signal, forcing exit");
        exit(1);
        return;
      }
      this.log.info({ signal }, "shutdown requested");
      void this.shutdown(signal).then(
        () => exit(0),
        () => exit(1),
      );
    };
    process.on("SIGTERM", handler);
    process.on("SIGINT", handler);
  }

  shutdown(reason = "requested"): Promise<void> {
    this.shutdownPromise ??= this.runSteps(reason);
    return this.shutdownPromise;
  }

  private async runSteps(reason: string): Promise<void> {
    this.abort.abort(new Error(`shutdown: ${reason}`));
    const deadline = Date.now() + this.graceMs;
    let failed = false;
    for (const step of [...this.steps].reverse()) {
      const remaining = Math.max(0, deadline - Date.now());
      try {
        await withTimeout(Promise.resolve().then(step.run), remaining, step.name);
        this.log.debug({ step: step.name }, "shutdown step done");
      } catch (err) {
        failed = true;
        this.log.error({ err, step: step.name }, "shutdown step failed");
      }
    }
    this.log.info({ reason, clean: !failed }, "shutdown complete");
    if (failed) throw new Error("shutdown incomplete");
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, name: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${name} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/** Ends `main()`: logs a fatal error and exits 1. */
export function exitOnFatal(log: Pick<Logger, "fatal">): (err: unknown) => never {
  return (err: unknown) => {
    // Errors that say what to do (a schema newer than the build) are the fatal line themselves.
    const line = (err as { fatalLine?: unknown } | null)?.fatalLine === true;
    log.fatal({ err }, line ? (err as Error).message : "fatal error");
    process.exit(1);
  };
}
