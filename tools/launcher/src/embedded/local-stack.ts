import { join, resolve } from "node:path";
import type { Config, Logger } from "@headless-ops/runtime";
import type { PrefixedOutput } from "../prefixed-output.js";
import {
  type EmbeddedNats,
  findNatsServer,
  NATS_SERVER_DIRS,
  natsPidFile,
  startEmbeddedNats,
} from "./embedded-nats.js";
import { type EmbeddedPostgres, startEmbeddedPostgres } from "./embedded-postgres.js";
import type { EmbeddedExit } from "./embedded-process.js";
import { leftoverPid, stopLeftover } from "./leftover.js";
import { type LocalServicePlan, probeLocalServices } from "./local-services.js";

/** The connection settings the launcher uses and hands to the services, embedded or not. */
export type LocalStack = {
  plan: LocalServicePlan;
  dataDir: string;
  /** Overrides for the launcher's config and the services' environment (empty when all are external). */
  overrides: Partial<Pick<Config, "DATABASE_URL" | "MIGRATE_DATABASE_URL" | "NATS_URL">>;
  /** Stops what was embedded (NATS, then Postgres). Idempotent; true when both exited cleanly. */
  stop(): Promise<boolean>;
};

type StackConfig = Pick<
  Config,
  | "DATABASE_URL"
  | "MIGRATE_DATABASE_URL"
  | "NATS_URL"
  | "DEFAULT_POSTGRES_PORT"
  | "DEFAULT_NATS_PORT"
  | "NATS_SERVER_BIN"
  | "EMBEDDED_DATA_DIR"
  | "SHUTDOWN_GRACE_MS"
>;

/** `<root>/.headless-ops` unless EMBEDDED_DATA_DIR says otherwise (relative to the project root). */
export function embeddedDataDir(root: string, configured: string | undefined): string {
  return configured ? resolve(root, configured) : join(root, ".headless-ops");
}

/**
 * Decides what to embed, checks a nats-server exists before starting anything, then starts the embedded
 * Postgres and NATS. External services are left exactly as configured.
 */
export async function startLocalStack(opts: {
  config: StackConfig;
  root: string;
  /** The launcher's PATH, where nats-server is looked for. */
  path: string | undefined;
  output: PrefixedOutput;
  log: Logger;
  onUnexpectedExit: (name: string, exit: EmbeddedExit) => void;
}): Promise<LocalStack> {
  const { config, log } = opts;
  const dataDir = embeddedDataDir(opts.root, config.EMBEDDED_DATA_DIR);
  await stopLeftovers(dataDir, log);
  const plan = await probeLocalServices(config);
  const natsBin =
    plan.nats === "embedded"
      ? findNatsServer({
          bin: config.NATS_SERVER_BIN,
          path: opts.path,
          dirs: NATS_SERVER_DIRS,
          url: config.NATS_URL,
        })
      : undefined;
  let postgres: EmbeddedPostgres | undefined;
  let nats: EmbeddedNats | undefined;
  const stop = once(async () => {
    const grace = Math.max(config.SHUTDOWN_GRACE_MS, 10_000);
    const natsClean = nats ? await nats.process.stop(grace) : true;
    const pgClean = postgres ? await postgres.process.stop(grace) : true;
    if (nats || postgres) log.info({ nats: natsClean, postgres: pgClean }, "embedded services stopped");
    return natsClean && pgClean;
  });
  try {
    if (plan.postgres === "embedded") {
      postgres = await startEmbeddedPostgres({
        dir: dataDir,
        port: config.DEFAULT_POSTGRES_PORT,
        database: new URL(config.DATABASE_URL).pathname.slice(1),
        output: opts.output,
        path: opts.path,
        onUnexpectedExit: (exit) => opts.onUnexpectedExit("postgres", exit),
      });
      log.info(
        {
          serverPid: postgres.process.pid,
          dataDir: postgres.dataDir,
          port: config.DEFAULT_POSTGRES_PORT,
          created: postgres.created,
        },
        "embedded PostgreSQL running",
      );
    }
    if (natsBin) {
      nats = await startEmbeddedNats({
        bin: natsBin,
        dir: dataDir,
        port: config.DEFAULT_NATS_PORT,
        output: opts.output,
        onUnexpectedExit: (exit) => opts.onUnexpectedExit("nats", exit),
      });
      log.info(
        { serverPid: nats.process.pid, bin: natsBin, storeDir: nats.storeDir, url: nats.url },
        "embedded NATS (JetStream) running",
      );
    }
  } catch (err) {
    await stop();
    throw err;
  }
  log.info(
    {
      postgres: plan.postgres,
      nats: plan.nats,
      ...(postgres || nats ? { dataDir } : {}),
    },
    postgres || nats ? "backing services: embedded where nothing answered" : "backing services: external",
  );
  const overrides: LocalStack["overrides"] = {};
  if (postgres) {
    overrides.DATABASE_URL = postgres.appUrl;
    overrides.MIGRATE_DATABASE_URL = postgres.ownerUrl;
  }
  if (nats) overrides.NATS_URL = nats.url;
  return { plan, dataDir, overrides, stop };
}

/** Embedded servers of a launcher that was killed before it could stop them: stopped, so they start afresh. */
async function stopLeftovers(dataDir: string, log: Logger): Promise<void> {
  const servers = [
    {
      name: "PostgreSQL",
      pidFile: join(dataDir, "postgres", "data", "postmaster.pid"),
      dir: join(dataDir, "postgres"),
    },
    { name: "NATS", pidFile: natsPidFile(dataDir), dir: join(dataDir, "nats") },
  ];
  for (const server of servers) {
    const pid = await leftoverPid(server.pidFile, server.dir);
    if (pid === undefined) continue;
    log.warn(
      { serverPid: pid, dir: server.dir },
      `stopping the embedded ${server.name} an earlier run left running`,
    );
    await stopLeftover(pid, "SIGINT", 30_000);
  }
}

function once<T>(fn: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => {
    promise ??= fn();
    return promise;
  };
}
