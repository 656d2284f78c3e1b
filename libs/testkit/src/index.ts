export { createTestContext, type TestContext } from "./context.js";
export {
  createTemplateDatabase,
  createTestDatabase,
  dropDatabase,
  dropRunDatabases,
} from "./database.js";
export { startTestServices, type TestServices } from "./environment.js";
export { deleteStreams, randomNatsPrefix } from "./nats.js";
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
