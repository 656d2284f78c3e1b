import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { connectNats, natsConnectionOptions } from "@headless-ops/bus";
import { createLogger, loadConfig } from "@headless-ops/runtime";
import { TestNatsServer } from "@headless-ops/testkit";
import { createAccount, createOperator, createUser, type KeyPair } from "@nats-io/nkeys";
import { connect } from "@nats-io/transport-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * NATS_CREDS_FILE (decentralised JWT auth) against a real nats-server in operator mode: an operator,
 * an account and a user made here with nkeys, JWTs signed like nsc signs them, the account preloaded
 * in a memory resolver. A .creds file of a user of another account is refused.
 */

const log = createLogger("nats-creds", { LOG_LEVEL: "silent", LOG_PRETTY: false });
const b64url = (data: Uint8Array | string) => Buffer.from(data).toString("base64url");

function signJwt(issuer: KeyPair, subject: string, name: string, nats: Record<string, unknown>): string {
  const header = b64url(JSON.stringify({ typ: "JWT", alg: "ed25519-nkey" }));
  const claims = {
    jti: b64url(subject + name).slice(0, 52),
    iat: Math.floor(Date.now() / 1000),
    iss: issuer.getPublicKey(),
    name,
    sub: subject,
    nats: { ...nats, version: 2 },
  };
  const body = `${header}.${b64url(JSON.stringify(claims))}`;
  return `${body}.${b64url(issuer.sign(new TextEncoder().encode(body)))}`;
}

const limits = { subs: -1, data: -1, payload: -1 };
function credsFile(account: KeyPair, user: KeyPair): string {
  const jwt = signJwt(account, user.getPublicKey(), "svc", { type: "user", pub: {}, sub: {}, ...limits });
  const seed = new TextDecoder().decode(user.getSeed());
  return `-----BEGIN NATS USER JWT-----\n${jwt}\n------END NATS USER JWT------\n\n-----BEGIN USER NKEY SEED-----\n${seed}\n------END USER NKEY SEED------\n`;
}

const operator = createOperator();
const account = createAccount();
const unknownAccount = createAccount();
let server: TestNatsServer;
let goodCreds: string;
let strangerCreds: string;

beforeAll(async () => {
  const operatorJwt = signJwt(operator, operator.getPublicKey(), "test-operator", { type: "operator" });
  const accountJwt = signJwt(operator, account.getPublicKey(), "headless-ops", {
    type: "account",
    limits: { ...limits, imports: -1, exports: -1, wildcards: true, conn: -1, leaf: -1 },
  });
  server = await TestNatsServer.start({
    config: (dir) => {
      goodCreds = join(dir, "svc.creds");
      strangerCreds = join(dir, "stranger.creds");
      writeFileSync(goodCreds, credsFile(account, createUser()));
      writeFileSync(strangerCreds, credsFile(unknownAccount, createUser()));
      return `operator: ${operatorJwt}\nresolver: MEMORY\nresolver_preload: {\n  ${account.getPublicKey()}: ${accountJwt}\n}\n`;
    },
  });
});

afterAll(async () => {
  await server?.stop();
});

describe("JWT authentication from NATS_CREDS_FILE", () => {
  it("connects with a .creds file of a user of a known account", async () => {
    const config = loadConfig({ NATS_URL: server.url, NATS_CREDS_FILE: goodCreds });
    const nc = await connectNats({ config, name: "creds-test", log });
    await nc.flush();
    expect(nc.info?.auth_required).toBe(true);
    await nc.close();
  });

  it("refuses a .creds file of another account, and no credentials", async () => {
    const once = (settings: Record<string, string>) =>
      connect({
        ...natsConnectionOptions({ NATS_URL: server.url, ...settings }, "creds-test"),
        waitOnFirstConnect: false,
        maxReconnectAttempts: 0,
      });
    await expect(once({ NATS_CREDS_FILE: strangerCreds })).rejects.toThrow(/Authorization Violation/i);
    await expect(once({})).rejects.toThrow(/Authorization Violation/i);
  });
});
