import { runWorker } from "@headless-ops/worker";
import { buildProber, proberPoolMax } from "./build-prober.js";

void runWorker("prober", buildProber, { poolMax: proberPoolMax });
