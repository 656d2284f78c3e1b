// What the benchmarks share: starting processes from dist/ through testkit, their output into the
// run's log file, optional V8 CPU profiles, and the worker services on free metrics ports.
import { freePort, startProcess } from "@headless-ops/testkit";

/** `node [--cpu-prof …] <script> …args`; `{ name, proc }`, proc a testkit ServiceProcess. */
export function startBenchProcess({ name, script, args = [], env = {}, port, log, cpuProf }) {
  const nodeArgs = cpuProf
    ? ["--cpu-prof", `--cpu-prof-dir=${cpuProf}`, `--cpu-prof-name=${name}.cpuprofile`]
    : [];
  const proc = startProcess({
    name,
    script,
    args,
    nodeArgs,
    // The shell's environment too: a variable set for the run (PROBER_CONCURRENCY=…) reaches the services.
    env: { ...process.env, ...env },
    port,
    onLine: (line) => log.write(`[${name}] ${line}\n`),
  });
  return { name, proc };
}

/**
 * The scheduler, `aggregators` aggregators (one: named `aggregator`) and `probers` probers, each on a
 * free METRICS_PORT (not yet ready).
 */
export async function startWorkers({
  env,
  proberEnv = {},
  probers,
  aggregators = 1,
  proberScript = "services/prober/dist/main.js",
  log,
  cpuProf,
}) {
  const plan = [
    ["scheduler", "services/scheduler/dist/main.js"],
    ...Array.from({ length: aggregators }, (_, i) => [
      aggregators === 1 ? "aggregator" : `aggregator-${i + 1}`,
      "services/aggregator/dist/main.js",
    ]),
    ...Array.from({ length: probers }, (_, i) => [`prober-${i + 1}`, proberScript, proberEnv]),
  ];
  const services = [];
  for (const [name, script, extraEnv = {}] of plan) {
    const port = await freePort();
    const started = startBenchProcess({
      name,
      script,
      env: { ...env, ...extraEnv, METRICS_PORT: String(port) },
      port,
      log,
      cpuProf,
    });
    services.push(started);
  }
  return services;
}
