export { openConnections, type WorkerConnections } from "./connections.js";
export { type RunWorkerOptions, runWorker } from "./run-worker.js";
export { type BuildWorker, stopOnce, type Worker, type WorkerDeps } from "./worker.js";
