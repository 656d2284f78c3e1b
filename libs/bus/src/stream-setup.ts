import type { Config, Logger } from "@headless-ops/runtime";
import type { JetStreamManager } from "@nats-io/jetstream";
import { provisionStreams } from "./provision.js";

/**
 * A service's start-up step for the streams: provisions them when this process may
 * (`NATS_PROVISION_STREAMS`, the default on an open dev server); with the least-privilege users of
 * deploy/nats the provisioning identity has done it (`npm run nats:provision`) and this is a no-op,
 * so a service never needs the rights to create, change or delete a stream.
 */
export async function setUpStreams(
  jsm: JetStreamManager,
  config: Pick<Config, "NATS_PREFIX" | "NATS_STREAM_REPLICAS" | "NATS_PROVISION_STREAMS">,
  log: Logger,
): Promise<void> {
  if (!config.NATS_PROVISION_STREAMS) {
    log.debug("streams are provisioned by the provisioning identity (NATS_PROVISION_STREAMS=false)");
    return;
  }
  await provisionStreams(jsm, config.NATS_PREFIX, config.NATS_STREAM_REPLICAS);
}
