import { installModuleHooks } from "@headless-ops/runtime/module-hooks";

// First, before anything that imports drizzle-orm is linked (hence the dynamic imports): see
// libs/runtime/src/module-hooks.ts for the ~200 MB start-up peak it avoids.
installModuleHooks();
const { runWorker } = await import("@headless-ops/worker");
const { buildProber, proberPoolMax } = await import("./build-prober.js");

void runWorker("prober", buildProber, { poolMax: proberPoolMax });
