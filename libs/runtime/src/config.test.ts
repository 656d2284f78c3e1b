import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "./config.js";

describe("loadConfig", () => {
  it("applies the documented defaults to an empty environment", () => {
    const config = loadConfig({});
    expect(config.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:5432/headless_ops");
    expect(config.NATS_URL).toBe("nats://127.0.0.1:4222");
    expect(config.PORT).toBe(8080);
    expect(config.NATS_PREFIX).toBe("");
  });

  it("coerces numbers and booleans from strings and ignores unrelated variables", () => {
    const config = loadConfig({ PORT: "9000", LOG_PRETTY: "false", HOME: "/root", PATH: "/bin" });
    expect(config.PORT).toBe(9000);
    expect(config.LOG_PRETTY).toBe(false);
    expect(loadConfig({ LOG_PRETTY: "1" }).LOG_PRETTY).toBe(true);
  });

  it("points the default DATABASE_URL and NATS_URL at the default ports, and leaves set URLs alone", () => {
    const moved = loadConfig({ DEFAULT_POSTGRES_PORT: "15432", DEFAULT_NATS_PORT: "14222" });
    expect(moved.DATABASE_URL).toBe("postgres://postgres@127.0.0.1:15432/headless_ops");
    expect(moved.NATS_URL).toBe("nats://127.0.0.1:14222");
    const set = loadConfig({
      DEFAULT_POSTGRES_PORT: "15432",
      DATABASE_URL: "postgres://app@db:5432/ops",
      NATS_URL: "nats://n1:4222",
    });
    expect(set.DATABASE_URL).toBe("postgres://app@db:5432/ops");
    expect(set.NATS_URL).toBe("nats://n1:4222");
  });

  it("treats empty values as unset", () => {
    expect(loadConfig({ PORT: "" }).PORT).toBe(8080);
  });

  it("takes a cluster's nodes in NATS_URL and refuses a list with no server in it", () => {
    const cluster = "nats://n1:4222,nats://n2:4222,nats://n3:4222";
    expect(loadConfig({ NATS_URL: cluster, NATS_STREAM_REPLICAS: "3" })).toMatchObject({
      NATS_URL: cluster,
      NATS_STREAM_REPLICAS: 3,
    });
    expect(() => loadConfig({ NATS_URL: " , " })).toThrow(/NATS_URL/);
  });

  it("reports every invalid variable at once", () => {
    try {
      loadConfig({ PORT: "not-a-port", DATABASE_URL: "nope", LOG_LEVEL: "loud", NATS_PREFIX: "a.b" });
      expect.unreachable("loadConfig accepted an invalid environment");
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems.join("\n");
      for (const name of ["PORT", "DATABASE_URL", "LOG_LEVEL", "NATS_PREFIX"]) {
        expect(problems).toContain(name);
      }
    }
  });
});
