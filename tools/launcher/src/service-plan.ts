import { join } from "node:path";

export type ServiceName = "api" | "scheduler" | "aggregator" | "notifier" | "prober";

/** One child process the launcher runs. */
export type ChildSpec = {
  /** Log prefix and identity: `api`, `scheduler`, `prober-1`, … */
  name: string;
  service: ServiceName;
  script: string;
  /** Variables set on top of the launcher's own environment. */
  env: Record<string, string>;
  /** Polled until it answers 200 (the API's /readyz, the workers' ops server). */
  readyUrl: string;
};

/**
 * The processes of one installation: the API, one scheduler, one aggregator, one notifier and
 * `proberReplicas` probers, each worker on its own METRICS_PORT (given in `workerPorts`,
 * in the order scheduler, aggregator, notifier, prober-1, …).
 */
export function planServices(opts: {
  root: string;
  apiPort: number;
  /** The API's METRICS_PORT (its /metrics is not on the public port). */
  apiMetricsPort: number;
  workerPorts: readonly number[];
  proberReplicas: number;
  /** Address to poll for readiness (the API listens on HOST, usually 0.0.0.0). */
  probeHost?: string;
}): ChildSpec[] {
  const host = opts.probeHost ?? "127.0.0.1";
  const workers: { name: string; service: ServiceName }[] = [
    { name: "scheduler", service: "scheduler" },
    { name: "aggregator", service: "aggregator" },
    { name: "notifier", service: "notifier" },
    ...Array.from({ length: opts.proberReplicas }, (_, i) => ({
      name: `prober-${i + 1}`,
      service: "prober" as const,
    })),
  ];
  if (opts.workerPorts.length < workers.length) {
    throw new Error(`need ${workers.length} worker ports, got ${opts.workerPorts.length}`);
  }
  const script = (service: ServiceName) => join(opts.root, "services", service, "dist", "main.js");
  // Children write JSON logs; the launcher formats them (pretty output would not parse).
  const common = { LOG_PRETTY: "false" };
  return [
    {
      name: "api",
      service: "api",
      script: script("api"),
      env: { ...common, PORT: String(opts.apiPort), METRICS_PORT: String(opts.apiMetricsPort) },
      readyUrl: `http://${host}:${opts.apiPort}/readyz`,
    },
    ...workers.map((w, i) => {
      const port = opts.workerPorts[i] as number;
      return {
        ...w,
        script: script(w.service),
        env: { ...common, METRICS_PORT: String(port) },
        readyUrl: `http://${host}:${port}/readyz`,
      };
    }),
  ];
}

/** Number of worker processes (each needs a METRICS_PORT; the API takes the one after them). */
export function workerCount(proberReplicas: number): number {
  return 3 + proberReplicas;
}
