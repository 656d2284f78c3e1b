import { runWorker } from "@headless-ops/worker";
import { buildAggregator } from "./build-aggregator.js";

void runWorker("aggregator", buildAggregator);
