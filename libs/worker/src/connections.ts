import {
  connectNats,
  type JetStreamClient,
  type JetStreamManager,
  jetstream,
  jetstreamManager,
  type NatsConnection,
  setUpStreams,
} from "@headless-ops/bus";
import { type NatsNames, natsNames } from "@headless-ops/contracts";
import { createDb, type DbHandle } from "@headless-ops/db";
import type { Config, Logger } from "@headless-ops/runtime";

export type WorkerConnections = {
  db: DbHandle;
  nc: NatsConnection;
  js: JetStreamClient;
  jsm: JetStreamManager;
  names: NatsNames;
};

/**
 * The one place a worker opens Postgres and NATS and provisions its streams; the host and the
 * services' test fixtures both call it, so tests run the production wiring.
 */
export async function openConnections(opts: {
  name: string;
  config: Config;
  log: Logger;
  poolMax?: number;
}): Promise<WorkerConnections> {
  const { config, log } = opts;
  const db = createDb({
    url: config.DATABASE_URL,
    max: opts.poolMax ?? config.DATABASE_POOL_MAX,
    applicationName: opts.name,
    onError: (err) => log.warn({ err }, "database connection lost"),
  });
  let nc: NatsConnection | undefined;
  try {
    nc = await connectNats({ config, name: opts.name, log });
    const jsm = await jetstreamManager(nc);
    await setUpStreams(jsm, config, log);
    return { db, nc, js: jetstream(nc), jsm, names: natsNames(config.NATS_PREFIX) };
  } catch (err) {
    // A test that fails to start must not leave a pool or a connection behind.
    await nc?.close().catch(() => undefined);
    await db.close().catch(() => undefined);
    throw err;
  }
}
