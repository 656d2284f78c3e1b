import { randomNatsPrefix } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  makeTestPki,
  type SecureNats,
  startSecureNats,
  type TestPki,
  tlsBlock,
} from "./support/secure-nats.js";

/*
 * TLS to NATS with a CA made here by openssl, on the shipped configuration plus a `tls {}` block:
 * the right CA connects, a wrong CA or plain TCP is refused; with `verify` only a client certificate
 * of the CA gets in (mutual TLS), and the user's password is still required.
 */

let pki: TestPki;
beforeAll(() => {
  pki = makeTestPki();
});

async function roundTrip(nats: SecureNats, settings: Record<string, string>): Promise<string> {
  const nc = await nats.connectOnce(settings, "api");
  try {
    const info = nc.info;
    await nc.flush();
    return `tls_required=${info?.tls_required === true}`;
  } finally {
    await nc.close();
  }
}

describe("TLS to NATS (server certificate from a test CA)", () => {
  let nats: SecureNats;
  beforeAll(async () => {
    nats = await startSecureNats({ prefix: randomNatsPrefix(), tls: tlsBlock(pki, false) });
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it("connects with NATS_TLS_CA_FILE naming the CA that signed the server", async () => {
    const env = nats.env("api", { NATS_TLS_CA_FILE: pki.ca });
    expect(await roundTrip(nats, env)).toBe("tls_required=true");
  });

  it("refuses a server certificate from another CA, and plain TCP", async () => {
    await expect(roundTrip(nats, nats.env("api", { NATS_TLS_CA_FILE: pki.otherCa }))).rejects.toThrow(
      /unable to verify/,
    );
    // Without a CA the system's trust store is used: it does not know the test CA either.
    await expect(roundTrip(nats, nats.env("api"))).rejects.toThrow(/unable to verify/);
  });
});

describe("mutual TLS to NATS (verify: true)", () => {
  let nats: SecureNats;
  beforeAll(async () => {
    nats = await startSecureNats({ prefix: randomNatsPrefix(), tls: tlsBlock(pki, true) });
  });
  afterAll(async () => {
    await nats?.stop();
  });

  it("connects with a client certificate and key of the CA", async () => {
    const env = nats.env("prober", {
      NATS_TLS_CA_FILE: pki.ca,
      NATS_TLS_CERT_FILE: pki.clientCert,
      NATS_TLS_KEY_FILE: pki.clientKey,
    });
    expect(await roundTrip(nats, env)).toBe("tls_required=true");
  });

  it("refuses a client without a certificate, and a certificate with a wrong password", async () => {
    // The server ends the handshake of a client without a certificate: the connect fails.
    await expect(roundTrip(nats, nats.env("prober", { NATS_TLS_CA_FILE: pki.ca }))).rejects.toThrow();
    const wrongPassword = {
      ...nats.env("prober", {
        NATS_TLS_CA_FILE: pki.ca,
        NATS_TLS_CERT_FILE: pki.clientCert,
        NATS_TLS_KEY_FILE: pki.clientKey,
      }),
      NATS_PASSWORD: "not-it",
    };
    await expect(roundTrip(nats, wrongPassword)).rejects.toThrow(/Authorization Violation/i);
  });
});
