import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectNats, natsConnectionOptions } from "@headless-ops/bus";
import { createLogger, loadConfig } from "@headless-ops/runtime";
import { TestNatsServer } from "@headless-ops/testkit";
import { createUser } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * NATS_NKEY_SEED_FILE against a real nats-server that knows the user only by its nkey public key:
 * the seed in the file signs the server's nonce; another seed is refused.
 */

const log = createLogger("nats-nkey", { LOG_LEVEL: "silent", LOG_PRETTY: false });
const user = createUser();
const stranger = createUser();
let server: TestNatsServer;
let seedFile: string;
let strangerFile: string;

beforeAll(async () => {
  const publicKey = user.getPublicKey();
  server = await TestNatsServer.start({
    config: (dir) => {
      seedFile = join(dir, "user.nk");
      strangerFile = join(dir, "stranger.nk");
      writeFileSync(seedFile, `${new TextDecoder().decode(user.getSeed())}\n`);
      writeFileSync(strangerFile, new TextDecoder().decode(stranger.getSeed()));
      return `authorization { users = [ { nkey: ${publicKey} } ] }\n`;
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

describe("nkey authentication from NATS_NKEY_SEED_FILE", () => {
  it("connects with the seed of a user the server knows", async () => {
    const config = loadConfig({ NATS_URL: server.url, NATS_NKEY_SEED_FILE: seedFile });
    const nc = await connectNats({ config, name: "nkey-test", log });
    await nc.flush();
    expect(nc.info?.nonce).toBeTruthy();
    await nc.close();
  });

  it("refuses another seed, and no seed", async () => {
    const once = (settings: Record<string, string>) =>
      connect({
        ...natsConnectionOptions({ NATS_URL: server.url, ...settings }, "nkey-test"),
        waitOnFirstConnect: false,
        maxReconnectAttempts: 0,
      });
    await expect(once({ NATS_NKEY_SEED_FILE: strangerFile })).rejects.toThrow(/Authorization Violation/i);
    await expect(once({})).rejects.toThrow(/Authorization Violation/i);
  });
});
