import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { configSchema } from "@headless-ops/runtime";
import { createTemplateDatabase, dropRunDatabases } from "./database.js";

export type TestServices = {
  /** Postgres server URL (any database name); test files clone the template from it. */
  databaseServerUrl: string;
  templateDatabase: string;
  natsUrl: string;
  runId: string;
};

const dockerSocket = "/var/run/docker.sock";

/**
 * Where the tests' Postgres and NATS are: `DATABASE_URL` / `NATS_URL` when given, else the
 * local defaults; testcontainers only when neither is set and a Docker engine is there.
 */
export async function startTestServices(
  env: Record<string, string | undefined>,
): Promise<{ services: TestServices; stop: () => Promise<void> }> {
  const stops: (() => Promise<unknown>)[] = [];
  let databaseServerUrl = env.DATABASE_URL;
  let natsUrl = env.NATS_URL;
  if (!databaseServerUrl && !natsUrl && existsSync(dockerSocket)) {
    const { PostgreSqlContainer } = await import("@testcontainers/postgresql");
    const { GenericContainer, Wait } = await import("testcontainers");
    const pg = await new PostgreSqlContainer("postgres:15").start();
    const nats = await new GenericContainer("nats:2.10")
      .withCommand(["-js"])
      .withExposedPorts(4222)
      .withWaitStrategy(Wait.forLogMessage(/Server is ready/))
      .start();
    databaseServerUrl = pg.getConnectionUri();
    natsUrl = `nats://${nats.getHost()}:${nats.getMappedPort(4222)}`;
    stops.push(
      () => pg.stop(),
      () => nats.stop(),
    );
  }
  const defaults = configSchema.parse({});
  databaseServerUrl ??= defaults.DATABASE_URL;
  natsUrl ??= defaults.NATS_URL;
  const runId = randomBytes(3).toString("hex");
  const templateDatabase = await createTemplateDatabase(databaseServerUrl, runId);
  const services = { databaseServerUrl, templateDatabase, natsUrl, runId };
  return {
    services,
    stop: async () => {
      await dropRunDatabases(databaseServerUrl, runId);
      for (const stop of stops) await stop();
    },
  };
}
