import { runWorker } from "@headless-ops/worker";
import { buildScheduler } from "./build-scheduler.js";

void runWorker("scheduler", buildScheduler);
