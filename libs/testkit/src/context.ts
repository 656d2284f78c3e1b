import { inject } from "vitest";
import { createTestDatabase } from "./database.js";
import type { TestServices } from "./environment.js";
import { deleteStreams, randomNatsPrefix } from "./nats.js";

declare module "vitest" {
  export interface ProvidedContext {
    testServices: TestServices;
  }
}

export type TestContext = {
  /** As the services' row-only app role (what DATABASE_URL holds). */
  databaseUrl: string;
  /** As the owner (what MIGRATE_DATABASE_URL holds): for a test that must change the schema. */
  ownerDatabaseUrl: string;
  natsUrl: string;
  natsPrefix: string;
  /** Environment for a service process or `loadConfig`, pointing at this test's database and prefix. */
  env: Record<string, string>;
  cleanup: () => Promise<void>;
};

/** A fresh database and NATS namespace for one test file. Call in `beforeAll`, clean up in `afterAll`. */
export async function createTestContext(): Promise<TestContext> {
  const services = inject("testServices");
  const database = await createTestDatabase(services.databaseServerUrl, services.templateDatabase);
  const natsPrefix = randomNatsPrefix();
  return {
    databaseUrl: database.url,
    ownerDatabaseUrl: database.ownerUrl,
    natsUrl: services.natsUrl,
    natsPrefix,
    env: {
      DATABASE_URL: database.url,
      MIGRATE_DATABASE_URL: database.ownerUrl,
      NATS_URL: services.natsUrl,
      NATS_PREFIX: natsPrefix,
      LOG_LEVEL: "warn",
      NODE_ENV: "test",
    },
    cleanup: async () => {
      await deleteStreams(services.natsUrl, natsPrefix).catch(() => undefined);
      await database.drop();
    },
  };
}
