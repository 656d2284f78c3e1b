import { runWorker } from "@headless-ops/worker";
import { buildNotifier } from "./build-notifier.js";

void runWorker("notifier", buildNotifier);
