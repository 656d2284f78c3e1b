import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";
import { redactPaths } from "./logger.js";

function problems(env: Record<string, string>): string {
  try {
    loadConfig(env);
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as ConfigError).problems.join("\n");
  }
  return expect.unreachable("loadConfig accepted the environment") as never;
}

describe("NATS credential and TLS variables", () => {
  it("accepts each authentication method alone, with or without TLS", () => {
    expect(loadConfig({ NATS_USER: "api", NATS_PASSWORD: "s3cret" })).toMatchObject({ NATS_USER: "api" });
    expect(loadConfig({ NATS_TOKEN: "t" }).NATS_TOKEN).toBe("t");
    expect(loadConfig({ NATS_CREDS_FILE: "/run/nats/api.creds" }).NATS_CREDS_FILE).toBe(
      "/run/nats/api.creds",
    );
    expect(loadConfig({ NATS_NKEY_SEED_FILE: "/run/nats/seed" }).NATS_NKEY_SEED_FILE).toBe("/run/nats/seed");
    const tls = loadConfig({
      NATS_TOKEN: "t",
      NATS_TLS_CA_FILE: "/ca.pem",
      NATS_TLS_CERT_FILE: "/c.pem",
      NATS_TLS_KEY_FILE: "/k.pem",
    });
    expect(tls).toMatchObject({ NATS_TLS_CA_FILE: "/ca.pem", NATS_TLS_KEY_FILE: "/k.pem" });
    expect(loadConfig({}).NATS_PROVISION_STREAMS).toBe(true);
    expect(loadConfig({ NATS_PROVISION_STREAMS: "false" }).NATS_PROVISION_STREAMS).toBe(false);
  });

  it("refuses a half-set pair, naming both variables", () => {
    for (const env of [{ NATS_USER: "api" }, { NATS_PASSWORD: "s3cret" }] as Record<string, string>[]) {
      const text = problems(env);
      expect(text).toContain("NATS_USER and NATS_PASSWORD must be set together");
    }
    expect(problems({ NATS_TLS_CERT_FILE: "/c.pem" })).toMatch(
      /NATS_TLS_KEY_FILE: NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE must be set together/,
    );
    expect(problems({ NATS_TLS_KEY_FILE: "/k.pem" })).toContain("NATS_TLS_CERT_FILE and NATS_TLS_KEY_FILE");
  });

  it("refuses two authentication methods at once, naming them", () => {
    expect(problems({ NATS_USER: "a", NATS_PASSWORD: "b", NATS_TOKEN: "t" })).toContain(
      "choose one NATS authentication method, not NATS_USER/NATS_PASSWORD and NATS_TOKEN",
    );
    expect(problems({ NATS_CREDS_FILE: "/a.creds", NATS_NKEY_SEED_FILE: "/seed" })).toContain(
      "NATS_CREDS_FILE and NATS_NKEY_SEED_FILE",
    );
  });

  it("keeps the password, the token and a URL with user:password out of log lines", () => {
    const lines: string[] = [];
    const log = pino(
      { redact: { paths: redactPaths, censor: "[redacted]" } },
      { write: (line: string) => lines.push(line) },
    );
    const config = loadConfig({
      NATS_URL: "nats://api:hunter2@nats:4222",
      NATS_USER: "api",
      NATS_PASSWORD: "hunter2",
    });
    log.info({ config }, "config");
    log.info({ NATS_TOKEN: "tok-canary", nats: { pass: "hunter2" } }, "other");
    const text = lines.join("\n");
    expect(text).not.toContain("hunter2");
    expect(text).not.toContain("tok-canary");
    expect(text).toContain('"NATS_USER":"api"');
  });
});
