#!/usr/bin/env node
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connectNats, jetstreamManager, provisionStreams } from "@headless-ops/bus";
import { runMigrations } from "@headless-ops/db";
import { type Config, type Logger, loadConfig, toError } from "@headless-ops/runtime";
import { parseLauncherArgs, usage } from "./args.js";
import { runDemo } from "./demo/run-demo.js";
import { createLauncherLogger } from "./launcher-logger.js";
import { assignPorts, freePort } from "./ports.js";
import { PrefixedOutput } from "./prefixed-output.js";
import { waitUntilReady } from "./ready.js";
import { type ChildSpec, planServices, workerCount } from "./service-plan.js";
import { Supervisor } from "./supervisor.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const READY_TIMEOUT_MS = 60_000;
/** Signals closer together than this are one Ctrl-C (npm forwards the terminal's SIGINT again). */
const SIGNAL_DEBOUNCE_MS = 1_000;

async function prepare(config: Config, log: Logger): Promise<void> {
  const db = new URL(config.DATABASE_URL);
  const { created } = await runMigrations(config.DATABASE_URL);
  log.info({ database: db.pathname.slice(1), host: db.host, created }, "migrations applied");
  const nc = await connectNats({ url: config.NATS_URL, name: "launcher", log });
  try {
    await provisionStreams(await jetstreamManager(nc), config.NATS_PREFIX, config.NATS_STREAM_REPLICAS);
    log.info({ prefix: config.NATS_PREFIX || "(none)" }, "streams provisioned");
  } finally {
    await nc.close();
  }
}

async function plan(config: Config): Promise<ChildSpec[]> {
  const apiPort = config.PORT > 0 ? config.PORT : await freePort();
  const workerPorts = await assignPorts(config.METRICS_PORT, workerCount(config.PROBER_REPLICAS));
  const probeHost = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
  return planServices({ root, apiPort, workerPorts, proberReplicas: config.PROBER_REPLICAS, probeHost });
}

async function main(): Promise<number> {
  const args = parseLauncherArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  // The launcher passes its environment on to the services; its own settings come from loadConfig.
  const env = process.env;
  const config = loadConfig(env);
  const specs = await plan(config);
  const output = new PrefixedOutput(
    process.stdout,
    ["launcher", ...specs.map((s) => s.name)],
    process.stdout.isTTY === true,
  );
  const log = createLauncherLogger(config, output);
  const missing = [...new Set(specs.map((s) => s.script))].filter((script) => !existsSync(script));
  if (missing.length > 0) {
    log.error({ missing }, "services are not built: run `npm run build` (npm start does)");
    return 1;
  }

  let exitCode = 0;
  let stopRequested: ((code: number) => void) | undefined;
  const stopped = new Promise<number>((resolve) => {
    stopRequested = resolve;
  });
  const aborted = new AbortController();
  const supervisor = new Supervisor({
    baseEnv: env,
    output,
    log,
    graceMs: config.SHUTDOWN_GRACE_MS,
    onUnexpectedExit: (exit) => {
      log.error(
        { child: exit.name, code: exit.code, signal: exit.signal },
        "process died, stopping everything",
      );
      stopRequested?.(1);
    },
  });
  let firstSignalAt = 0;
  const onSignal = (signal: NodeJS.Signals) => {
    const now = Date.now();
    if (firstSignalAt === 0) {
      firstSignalAt = now;
      log.info({ signal }, "stopping services (Ctrl-C again to force)");
      stopRequested?.(0);
    } else if (now - firstSignalAt > SIGNAL_DEBOUNCE_MS) {
      log.warn({ signal }, "second signal, killing services");
      supervisor.kill();
      process.exit(130);
    }
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  void stopped.then(() => aborted.abort());

  try {
    await Promise.race([prepare(config, log), stopped]);
  } catch (err) {
    log.error({ err: toError(err) }, "could not prepare the database and streams");
    return 1;
  }
  if (aborted.signal.aborted) return stopped;

  for (const spec of specs) supervisor.start(spec);
  const [api, ...workers] = specs as [ChildSpec, ...ChildSpec[]];
  const apiUrl = api.readyUrl.replace(/\/readyz$/, "");
  void (async () => {
    const notReady = await waitUntilReady(specs, { timeoutMs: READY_TIMEOUT_MS, signal: aborted.signal });
    if (aborted.signal.aborted) return;
    if (notReady.includes("api")) {
      log.error({ url: api.readyUrl }, "the API did not become ready");
      stopRequested?.(1);
      return;
    }
    if (notReady.length > 0) log.warn({ notReady }, "some workers are not ready yet");
    const metrics = Object.fromEntries(
      workers.map((w) => [w.name, w.readyUrl.replace(/\/readyz$/, "/metrics")]),
    );
    log.info({ api: apiUrl, docs: `${apiUrl}/docs`, metrics }, "all services running; Ctrl-C stops them");
    if (!args.demo) return;
    try {
      const text = await runDemo({ root, env, apiUrl, log });
      output.plain(text);
    } catch (err) {
      log.error({ err: toError(err) }, "demo set-up failed");
      stopRequested?.(1);
    }
  })();

  exitCode = await stopped;
  const clean = await supervisor.stop();
  log.info({ clean, exitCode: exitCode || (clean ? 0 : 1) }, "all services stopped");
  return exitCode || (clean ? 0 : 1);
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`launcher: ${toError(err).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
