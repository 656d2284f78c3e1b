#!/usr/bin/env node
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { connectNats, jetstreamManager, provisionStreams, serversForLog } from "@headless-ops/bus";
import { appRoleOf, runMigrations } from "@headless-ops/db";
import { type Config, type Logger, loadConfig, toError } from "@headless-ops/runtime";
import { parseLauncherArgs, usage } from "./args.js";
import { runDemo } from "./demo/run-demo.js";
import { type DemoFleet, startDemoFleet } from "./demo/snmp-fleet.js";
import { devCredentialKey } from "./dev-credential-key.js";
import { EmbeddedUnavailableError, NatsServerMissingError } from "./embedded/errors.js";
import { embeddedDataDir, type LocalStack, startLocalStack } from "./embedded/local-stack.js";
import { createLauncherLogger } from "./launcher-logger.js";
import { assignPorts, freePort } from "./ports.js";
import { PrefixedOutput } from "./prefixed-output.js";
import { waitUntilReady } from "./ready.js";
import { type ChildSpec, planServices, workerCount } from "./service-plan.js";
import { StopRequest } from "./stop-request.js";
import { Supervisor } from "./supervisor.js";

const root = fileURLToPath(new URL("../../../", import.meta.url));
const READY_TIMEOUT_MS = 60_000;

/** Migrations, then streams; warns when Postgres or NATS keep it waiting instead of hanging silently. */
async function prepare(config: Config, log: Logger): Promise<void> {
  const db = new URL(config.DATABASE_URL);
  const slow = setTimeout(
    () =>
      log.warn(
        { postgres: db.host, nats: serversForLog(config.NATS_URL) },
        "still waiting for Postgres and NATS",
      ),
    5_000,
  );
  try {
    // As the owner when MIGRATE_DATABASE_URL is set; the services then get DATABASE_URL's row-only role.
    const appRole = appRoleOf(config.DATABASE_URL, config.MIGRATE_DATABASE_URL);
    const { created } = await runMigrations(
      config.MIGRATE_DATABASE_URL ?? config.DATABASE_URL,
      appRole ? { appRole } : {},
    );
    log.info({ database: db.pathname.slice(1), host: db.host, created }, "migrations applied");
    const nc = await connectNats({ config, name: "launcher", log });
    try {
      await provisionStreams(await jetstreamManager(nc), config.NATS_PREFIX, config.NATS_STREAM_REPLICAS);
      log.info({ prefix: config.NATS_PREFIX || "(none)" }, "streams provisioned");
    } finally {
      await nc.close();
    }
  } finally {
    clearTimeout(slow);
  }
}

async function plan(config: Config): Promise<ChildSpec[]> {
  const apiPort = config.PORT > 0 ? config.PORT : await freePort();
  // Workers first (their ports stay where they were), then the API's metrics port.
  const count = workerCount(config.PROBER_REPLICAS);
  const ports = await assignPorts(config.METRICS_PORT, count + 1);
  const workerPorts = ports.slice(0, count);
  const apiMetricsPort = ports[count] as number;
  const probeHost = config.HOST === "0.0.0.0" || config.HOST === "::" ? "127.0.0.1" : config.HOST;
  return planServices({
    root,
    apiPort,
    apiMetricsPort,
    workerPorts,
    proberReplicas: config.PROBER_REPLICAS,
    probeHost,
  });
}

/** Once every service answers /readyz: print where things are, then run the demo if asked. */
async function whenReady(opts: {
  specs: ChildSpec[];
  stop: StopRequest;
  log: Logger;
  output: PrefixedOutput;
  fleet: DemoFleet | undefined;
  env: Record<string, string | undefined>;
}): Promise<void> {
  const { specs, stop, log } = opts;
  const notReady = await waitUntilReady(specs, { timeoutMs: READY_TIMEOUT_MS, signal: stop.signal });
  if (stop.signal.aborted) return;
  const [api, ...workers] = specs as [ChildSpec, ...ChildSpec[]];
  if (notReady.includes(api.name)) {
    log.error({ url: api.readyUrl }, "the API did not become ready");
    return stop.request(1);
  }
  if (notReady.length > 0) log.warn({ notReady }, "some workers are not ready yet");
  const apiUrl = api.readyUrl.replace(/\/readyz$/, "");
  const metrics = Object.fromEntries(
    workers.map((w) => [w.name, w.readyUrl.replace(/\/readyz$/, "/metrics")]),
  );
  metrics.api = `http://${new URL(api.readyUrl).hostname}:${api.env.METRICS_PORT}/metrics`;
  log.info({ api: apiUrl, docs: `${apiUrl}/docs`, metrics }, "all services running; Ctrl-C stops them");
  if (!opts.fleet) return;
  try {
    opts.output.plain(await runDemo({ root, env: opts.env, apiUrl, log, fleet: opts.fleet }));
  } catch (err) {
    log.error({ err: toError(err) }, "demo set-up failed");
    stop.request(1);
  }
}

async function main(): Promise<number> {
  const args = parseLauncherArgs(process.argv.slice(2));
  if (args.help) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  // The launcher hands its environment on to the services; its own settings come from loadConfig.
  const env: Record<string, string | undefined> = { ...process.env };
  const config = loadConfig(env);
  delete env.MIGRATE_DATABASE_URL; // the owner's connection is for the migrate step only, never a service
  const devKey =
    config.CREDENTIAL_KEY || config.NODE_ENV === "production"
      ? undefined
      : devCredentialKey(embeddedDataDir(root, config.EMBEDDED_DATA_DIR));
  if (devKey) env.CREDENTIAL_KEY = devKey.key;
  // The demo's SNMP fleet lives on loopback, which the address guard refuses unless told otherwise.
  if (args.demo && env.ALLOW_LOOPBACK === undefined) env.ALLOW_LOOPBACK = "true";
  const specs = await plan(config);
  const names = ["launcher", "postgres", "nats", ...specs.map((s) => s.name)];
  const output = new PrefixedOutput(process.stdout, names, process.stdout.isTTY === true);
  const log = createLauncherLogger(config, output);
  if (devKey) {
    log.warn(
      { path: devKey.path, created: devKey.created },
      "CREDENTIAL_KEY not set: using the local development key",
    );
  }
  const missing = [...new Set(specs.map((s) => s.script))].filter((script) => !existsSync(script));
  if (missing.length > 0) {
    log.error({ missing }, "services are not built: run `npm run build` (npm start does)");
    return 1;
  }

  const stop = new StopRequest();
  const supervisor = new Supervisor({
    baseEnv: env,
    output,
    log,
    graceMs: config.SHUTDOWN_GRACE_MS,
    onUnexpectedExit: (exit) => {
      const { name: child, code, signal } = exit;
      log.error({ child, code, signal }, "process died, stopping everything");
      stop.request(1);
    },
  });
  stop.installSignalHandlers(log, () => {
    supervisor.kill();
    process.exit(130);
  });

  // Postgres and NATS: as configured, or embedded when the default local ones do not answer.
  let stack: LocalStack;
  try {
    stack = await startLocalStack({
      config,
      root,
      path: env.PATH,
      output,
      log,
      onUnexpectedExit: (child, exit) => {
        log.error(
          { child, code: exit.code, signal: exit.signal },
          "embedded service died, stopping everything",
        );
        stop.request(1);
      },
    });
  } catch (err) {
    if (err instanceof NatsServerMissingError) {
      log.error({ reason: err.message }, "cannot start NATS");
      output.plain(err.help);
    } else if (err instanceof EmbeddedUnavailableError) {
      log.error({ reason: err.message }, "cannot embed PostgreSQL");
    } else {
      log.error({ err: toError(err) }, "could not start the embedded services");
    }
    return 1;
  }
  if (stack.overrides.DATABASE_URL) env.DATABASE_URL = stack.overrides.DATABASE_URL;
  if (stack.overrides.NATS_URL) env.NATS_URL = stack.overrides.NATS_URL;
  const code = await runServices({
    config: { ...config, ...stack.overrides },
    env,
    args,
    specs,
    stop,
    supervisor,
    output,
    log,
  });
  // After the services: they drained against the embedded Postgres and NATS, which stop last.
  const embeddedClean = await stack.stop();
  return code === 0 && !embeddedClean ? 1 : code;
}

/** Migrations and streams, the demo fleet, the services until a stop request; the exit code. */
async function runServices(opts: {
  config: Config;
  env: Record<string, string | undefined>;
  args: { demo: boolean };
  specs: ChildSpec[];
  stop: StopRequest;
  supervisor: Supervisor;
  output: PrefixedOutput;
  log: Logger;
}): Promise<number> {
  const { config, env, args, specs, stop, supervisor, output, log } = opts;
  if (stop.signal.aborted) return stop.stopped;
  try {
    await Promise.race([prepare(config, log), stop.stopped]);
  } catch (err) {
    log.error({ err: toError(err) }, "could not prepare the database and streams");
    return 1;
  }
  if (stop.signal.aborted) return stop.stopped;

  let fleet: DemoFleet | undefined;
  if (args.demo) {
    try {
      fleet = await startDemoFleet(config.DEMO_FAULT_RATE);
      log.info(
        { devices: fleet.fleet.devices.length, startupMs: fleet.fleet.startupMs },
        "demo SNMP fleet serving",
      );
    } catch (err) {
      log.error({ err: toError(err) }, "could not start the demo SNMP fleet");
      return 1;
    }
  }
  for (const spec of specs) supervisor.start(spec);
  void whenReady({ specs, stop, log, output, fleet, env });

  const requested = await stop.stopped;
  const clean = await supervisor.stop();
  await fleet?.fleet.stop();
  const exitCode = requested || (clean ? 0 : 1);
  log.info({ clean, exitCode }, "all services stopped");
  return exitCode;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`launcher: ${toError(err).stack ?? String(err)}\n`);
    process.exit(1);
  },
);
