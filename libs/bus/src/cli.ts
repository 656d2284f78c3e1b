import { writeFileSync } from "node:fs";
import { createLogger, exitOnFatal, loadConfig } from "@headless-ops/runtime";
import { jetstreamManager } from "@nats-io/jetstream";
import { connectNats } from "./connection.js";
import { serversForLog } from "./connection-options.js";
import { natsHelmAuthValues } from "./helm-auth-values.js";
import { provisionStreams } from "./provision.js";
import { natsServerConfig } from "./server-config.js";

const usage = `usage: node libs/bus/dist/cli.js provision          create/update streams and consumers (as the provisioning user)
       node libs/bus/dist/cli.js server-config [FILE]  write the nats-server config for NATS_PREFIX (stdout without FILE)
       node libs/bus/dist/cli.js helm-values [FILE]    write the same users and permissions as NATS Helm chart values`;

/** `npm run nats:provision` and `npm run nats:config` (the server config and the Helm values). */
async function main(): Promise<void> {
  const [command, file] = process.argv.slice(2);
  const config = loadConfig(process.env);
  if (command === "server-config" || command === "helm-values") {
    const render = command === "server-config" ? natsServerConfig : natsHelmAuthValues;
    const text = render({ prefix: config.NATS_PREFIX });
    if (file) writeFileSync(file, text);
    else process.stdout.write(text);
    return;
  }
  if (command !== "provision") {
    process.stderr.write(`${usage}\n`);
    process.exitCode = 2;
    return;
  }
  const log = createLogger("nats-provision", config);
  const nc = await connectNats({ config, name: "provisioner", log });
  try {
    await provisionStreams(await jetstreamManager(nc), config.NATS_PREFIX, config.NATS_STREAM_REPLICAS);
    log.info(
      { nats: serversForLog(config.NATS_URL), prefix: config.NATS_PREFIX || "(none)" },
      "streams provisioned",
    );
  } finally {
    await nc.close();
  }
}

main().catch(exitOnFatal(createLogger("nats-provision", { LOG_LEVEL: "info", LOG_PRETTY: false })));
