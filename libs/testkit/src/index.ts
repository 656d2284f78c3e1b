export { createTestContext, type TestContext } from "./context.js";
export {
  createTemplateDatabase,
  createTestDatabase,
  dropDatabase,
  dropRunDatabases,
} from "./database.js";
export { startTestServices, type TestServices } from "./environment.js";
export { deleteStreams, randomNatsPrefix } from "./nats.js";
export { freePort, waitFor } from "./services.js";
