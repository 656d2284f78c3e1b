import { randomBytes } from "node:crypto";
import { natsServers } from "@headless-ops/bus";
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";

/** A random NATS_PREFIX: streams and subjects no other test run sees. */
export function randomNatsPrefix(): string {
  return `t${randomBytes(5).toString("hex")}`;
}

/** Deletes every stream whose name starts with the prefix (`natsUrl`: one server or a comma-separated cluster). */
export async function deleteStreams(natsUrl: string, prefix: string): Promise<void> {
  const nc = await connect({ servers: natsServers(natsUrl) });
  try {
    const jsm = await jetstreamManager(nc);
    for await (const name of jsm.streams.names()) {
      if (name.startsWith(`${prefix}_`)) await jsm.streams.delete(name);
    }
  } finally {
    await nc.close();
  }
}
