import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  type NatsSettings,
  natsConnectionOptions,
  natsPermissions,
  natsServerConfig,
} from "@headless-ops/bus";
import { TestNatsServer } from "@headless-ops/testkit";
import { connect, type NatsConnection } from "@nats-io/transport-node";

export type NatsUserName = "api" | "scheduler" | "prober" | "aggregator" | "provisioner" | "monitor";

export type SecureNats = {
  server: TestNatsServer;
  prefix: string;
  /** NATS_* variables of one identity, for a service process or `loadConfig`. */
  env: (user: NatsUserName, extra?: Record<string, string>) => Record<string, string>;
  /** Connects once as `settings` (no retries): resolves with the connection or rejects with the server's refusal. */
  connectOnce: (settings: Partial<NatsSettings>, name?: string) => Promise<NatsConnection>;
  stop: () => Promise<void>;
};

/**
 * A nats-server started from the shipped configuration's generator (libs/bus natsServerConfig) for
 * `prefix`, with a random password per user in the server's environment, optionally with a `tls {}`
 * block included after it.
 */
export async function startSecureNats(opts: {
  prefix: string;
  tls?: string;
  monitorPort?: number;
}): Promise<SecureNats> {
  const users = natsPermissions(opts.prefix);
  // nats-server parses a `$VAR` value as a config value: a password must read as a string (start with a letter).
  const passwords = Object.fromEntries(users.map((u) => [u.user, `p${randomBytes(12).toString("hex")}`]));
  const serverEnv = Object.fromEntries(users.map((u) => [u.passwordVariable, passwords[u.user] as string]));
  const server = await TestNatsServer.start({
    env: serverEnv,
    ...(opts.monitorPort ? { monitorPort: opts.monitorPort } : {}),
    config: (dir) => {
      writeFileSync(join(dir, "generated.conf"), natsServerConfig({ prefix: opts.prefix, storeDir: dir }));
      return `include "./generated.conf"\n${opts.tls ?? ""}\n`;
    },
  });
  const env = (user: NatsUserName, extra: Record<string, string> = {}) => ({
    NATS_URL: server.url,
    NATS_PREFIX: opts.prefix,
    NATS_USER: user,
    NATS_PASSWORD: passwords[user] as string,
    NATS_PROVISION_STREAMS: "false",
    ...extra,
  });
  const connectOnce = (settings: Partial<NatsSettings>, name = "probe") =>
    connect({
      ...natsConnectionOptions({ NATS_URL: server.url, ...settings }, name),
      waitOnFirstConnect: false,
      maxReconnectAttempts: 0,
      timeout: 3_000,
    });
  return { server, prefix: opts.prefix, env, connectOnce, stop: () => server.stop() };
}

export type TestPki = {
  dir: string;
  ca: string;
  serverCert: string;
  serverKey: string;
  clientCert: string;
  clientKey: string;
  /** A CA that signed nothing here. */
  otherCa: string;
};

function openssl(dir: string, args: string[]): void {
  execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
}

/** A test CA with a server certificate for 127.0.0.1 and a client certificate, made with `openssl`. */
export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "ho-pki-"));
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  for (const name of ["ca", "other-ca"]) {
    openssl(dir, [
      "req",
      "-x509",
      ...ec,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
    ]);
  }
  const issue = (name: string, cn: string, ext: string) => {
    openssl(dir, ["req", ...ec, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`]);
    writeFileSync(join(dir, `${name}.ext`), ext);
    openssl(dir, [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "ca.pem",
      "-CAkey",
      "ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.pem`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    ]);
  };
  issue("server", "nats", "subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth\n");
  issue("client", "prober", "extendedKeyUsage=clientAuth\n");
  const at = (f: string) => join(dir, f);
  return {
    dir,
    ca: at("ca.pem"),
    serverCert: at("server.pem"),
    serverKey: at("server.key"),
    clientCert: at("client.pem"),
    clientKey: at("client.key"),
    otherCa: at("other-ca.pem"),
  };
}

/** The `tls {}` block for the server: TLS required; with `verify`, clients must present a certificate of the CA. */
export function tlsBlock(pki: TestPki, verify: boolean): string {
  return `tls {
  cert_file: ${JSON.stringify(pki.serverCert)}
  key_file: ${JSON.stringify(pki.serverKey)}
  ca_file: ${JSON.stringify(pki.ca)}
  verify: ${verify}
  timeout: 2
}`;
}
