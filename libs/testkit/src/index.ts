export { createTestContext, type TestContext } from "./context.js";
export {
  asAppRole,
  createTemplateDatabase,
  createTestDatabase,
  dropDatabase,
  dropRunDatabases,
  TEST_APP_ROLE,
} from "./database.js";
export { startTestServices, type TestServices } from "./environment.js";
export { deleteStreams, randomNatsPrefix } from "./nats.js";
export { TestNatsCluster } from "./nats-cluster.js";
export { TestNatsServer, type TestNatsServerOptions } from "./nats-server.js";
export { TestPostgresCluster } from "./postgres-cluster.js";
export {
  childEnv,
  type LogRecord,
  type ProcessExit,
  ProcessGroup,
  repoRoot,
  runScript,
  type ServiceName,
  ServiceProcess,
  startProcess,
  startService,
} from "./processes.js";
export { freePort, waitFor } from "./services.js";
export { openSse, type SseConnection, type SseEvent } from "./sse-client.js";
export { startWorkerEnv, type WorkerTestEnv } from "./worker-env.js";
