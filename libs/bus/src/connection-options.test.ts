import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  NatsSettingsError,
  natsConnectionOptions,
  natsServers,
  serversForLog,
} from "./connection-options.js";

const url = "nats://a:4222, nats://b:4222";

describe("natsConnectionOptions", () => {
  it("connects anonymously over plain TCP when nothing is configured", () => {
    const opts = natsConnectionOptions({ NATS_URL: url }, "prober");
    expect(opts.servers).toEqual(["nats://a:4222", "nats://b:4222"]);
    expect(opts.authenticator).toBeUndefined();
    expect(opts.tls).toBeUndefined();
    expect(opts.inboxPrefix).toBe("_INBOX.prober");
    expect(opts.maxReconnectAttempts).toBe(-1);
  });

  it("uses an authenticator for user/password and for a token", () => {
    const userPass = natsConnectionOptions({ NATS_URL: url, NATS_USER: "api", NATS_PASSWORD: "pw" }, "api");
    expect(typeof userPass.authenticator).toBe("function");
    const token = natsConnectionOptions({ NATS_URL: url, NATS_TOKEN: "t" }, "api");
    expect(typeof token.authenticator).toBe("function");
  });

  it("names the variable of a key file it cannot read", () => {
    expect(() => natsConnectionOptions({ NATS_URL: url, NATS_CREDS_FILE: "/nope/x.creds" }, "api")).toThrow(
      NatsSettingsError,
    );
    expect(() => natsConnectionOptions({ NATS_URL: url, NATS_NKEY_SEED_FILE: "/nope/seed" }, "api")).toThrow(
      /NATS_NKEY_SEED_FILE: cannot read \/nope\/seed/,
    );
    expect(() => natsConnectionOptions({ NATS_URL: url, NATS_TLS_CA_FILE: "/nope/ca.pem" }, "api")).toThrow(
      /NATS_TLS_CA_FILE/,
    );
  });

  it("turns on TLS with a CA alone, and mutual TLS with a client certificate and key", () => {
    const dir = mkdtempSync(join(tmpdir(), "ho-tls-"));
    for (const f of ["ca.pem", "c.pem", "k.pem"]) writeFileSync(join(dir, f), "x");
    const ca = natsConnectionOptions({ NATS_URL: url, NATS_TLS_CA_FILE: join(dir, "ca.pem") }, "api");
    expect(ca.tls).toEqual({ caFile: join(dir, "ca.pem") });
    const mutual = natsConnectionOptions(
      {
        NATS_URL: url,
        NATS_TLS_CA_FILE: join(dir, "ca.pem"),
        NATS_TLS_CERT_FILE: join(dir, "c.pem"),
        NATS_TLS_KEY_FILE: join(dir, "k.pem"),
      },
      "api",
    );
    expect(mutual.tls).toEqual({
      caFile: join(dir, "ca.pem"),
      certFile: join(dir, "c.pem"),
      keyFile: join(dir, "k.pem"),
    });
  });

  it("keeps inbox prefixes valid subject tokens and URLs' passwords out of logs", () => {
    expect(natsConnectionOptions({ NATS_URL: url }, "e2e test.1").inboxPrefix).toBe("_INBOX.e2e_test_1");
    // With a user, the inbox is the user's: the server config allows `_INBOX.<user>.>` to that user.
    const named = natsConnectionOptions(
      { NATS_URL: url, NATS_USER: "prober", NATS_PASSWORD: "pw" },
      "prober-7",
    );
    expect(named.inboxPrefix).toBe("_INBOX.prober");
    expect(serversForLog("nats://api:pw@n1:4222,tls://n2:4222")).toEqual(["nats://n1:4222", "tls://n2:4222"]);
  });

  it("takes a cluster's nodes from a comma-separated NATS_URL, ignoring blanks and a trailing comma", () => {
    const cluster = "nats://n1:4222, nats://n2:4222 ,,nats://n3:4222,";
    expect(natsServers(cluster)).toEqual(["nats://n1:4222", "nats://n2:4222", "nats://n3:4222"]);
    expect(natsConnectionOptions({ NATS_URL: cluster }, "api").servers).toEqual(natsServers(cluster));
  });
});
