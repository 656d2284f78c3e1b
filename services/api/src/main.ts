import { installModuleHooks } from "@headless-ops/runtime/module-hooks";

// First, before anything that imports drizzle-orm is linked (hence the dynamic imports): see
// libs/runtime/src/module-hooks.ts for the ~200 MB start-up peak it avoids.
installModuleHooks();
const { createLogger, exitOnFatal } = await import("@headless-ops/runtime");
const { startApi } = await import("./server.js");

startApi().catch(exitOnFatal(createLogger("api", { LOG_LEVEL: "info", LOG_PRETTY: false })));
