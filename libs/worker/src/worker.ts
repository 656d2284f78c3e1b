import type { JetStreamClient, JetStreamManager, NatsConnection } from "@headless-ops/bus";
import type { NatsNames } from "@headless-ops/contracts";
import type { DbHandle } from "@headless-ops/db";
import type { Config, Logger } from "@headless-ops/runtime";
import type { Registry } from "prom-client";

/** Everything a worker is built from: the host (or a test fixture) opens these, the worker borrows them. */
export type WorkerDeps = {
  config: Config;
  log: Logger;
  db: DbHandle;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: NatsNames;
  /** Where the worker registers its metrics; the host serves it on /metrics. */
  registry: Registry;
};

/**
 * A worker service: `start` begins taking work, `stop` stops intake and finishes or hands back
 * what is in flight. `stop` is idempotent (see `stopOnce`): shutdown and a test may both call it.
 */
export type Worker = {
  start: () => Promise<void>;
  stop: () => Promise<void>;
  /** Extra fields of the "<name> started" log line (tests and operators read them). */
  describe?: () => Record<string, unknown>;
};

export type BuildWorker<W extends Worker = Worker> = (deps: WorkerDeps) => W | Promise<W>;

/** Wraps a stop function so that every call after the first returns the first call's promise. */
export function stopOnce(stop: () => Promise<void>): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= Promise.resolve().then(stop);
    return stopping;
  };
}
