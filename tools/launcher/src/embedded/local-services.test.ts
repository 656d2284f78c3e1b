import { createServer, type Server } from "node:net";
import { loadConfig } from "@headless-ops/runtime";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  isDefaultDatabaseUrl,
  isDefaultNatsUrl,
  placeLocalServices,
  probeLocalServices,
  tcpAnswers,
} from "./local-services.js";

describe("which backing services the launcher embeds", () => {
  it("takes the default local URLs, on the default ports, as default", () => {
    expect(isDefaultDatabaseUrl("postgres://postgres@127.0.0.1:5432/headless_ops", 5432)).toBe(true);
    expect(isDefaultDatabaseUrl("postgresql://postgres@localhost/headless_ops", 5432)).toBe(true);
    expect(isDefaultDatabaseUrl("postgres://postgres@127.0.0.1:15432/headless_ops", 15432)).toBe(true);
    expect(isDefaultNatsUrl("nats://127.0.0.1:4222", 4222)).toBe(true);
    expect(isDefaultNatsUrl("localhost:4222", 4222)).toBe(true);
    expect(isDefaultNatsUrl(" nats://127.0.0.1:14222 ", 14222)).toBe(true);
  });

  it("takes any other URL as configured by the operator", () => {
    for (const url of [
      "postgres://postgres@127.0.0.1:5433/headless_ops", // another port
      "postgres://postgres@db.internal:5432/headless_ops", // another host
      "postgres://postgres:secret@127.0.0.1:5432/headless_ops", // a password
      "postgres://headless_ops_app@127.0.0.1:5432/headless_ops", // another user
      "postgres://postgres@127.0.0.1:5432/other", // another database
      "postgres://postgres@127.0.0.1:5432/headless_ops?sslmode=require", // options
      "mysql://postgres@127.0.0.1:5432/headless_ops",
      "not a url",
    ]) {
      expect(isDefaultDatabaseUrl(url, 5432), url).toBe(false);
    }
    // The default port moved (a test's port plan): the usual URL is no longer the default one.
    expect(isDefaultDatabaseUrl("postgres://postgres@127.0.0.1:5432/headless_ops", 15432)).toBe(false);
    for (const url of [
      "nats://127.0.0.1:4223",
      "nats://nats.internal:4222",
      "nats://user:pass@127.0.0.1:4222",
      "tls://127.0.0.1:4222",
      "nats://127.0.0.1:4222,nats://127.0.0.1:4223", // a cluster
    ]) {
      expect(isDefaultNatsUrl(url, 4222), url).toBe(false);
    }
  });

  it("embeds only a default service that nothing answers at", () => {
    const defaults = loadConfig({});
    expect(placeLocalServices(defaults, { postgres: false, nats: false })).toEqual({
      postgres: "embedded",
      nats: "embedded",
    });
    expect(placeLocalServices(defaults, { postgres: true, nats: false })).toEqual({
      postgres: "external",
      nats: "embedded",
    });
    expect(placeLocalServices(defaults, { postgres: false, nats: true })).toEqual({
      postgres: "embedded",
      nats: "external",
    });
    // Configured URLs are used as they are, answering or not.
    const configured = loadConfig({
      DATABASE_URL: "postgres://app:pw@db:5432/ops",
      NATS_URL: "nats://n1:4222,nats://n2:4222",
    });
    expect(placeLocalServices(configured, { postgres: false, nats: false })).toEqual({
      postgres: "external",
      nats: "external",
    });
    // An owner URL of the operator's names a real server too.
    const owner = loadConfig({ MIGRATE_DATABASE_URL: "postgres://owner@127.0.0.1:5432/headless_ops" });
    expect(placeLocalServices(owner, { postgres: false, nats: false }).postgres).toBe("external");
  });
});

describe("looking at the default ports", () => {
  let server: Server;
  let open: number;
  let closed: number;

  beforeAll(async () => {
    const listen = () =>
      new Promise<Server>((resolve) => {
        const s = createServer((socket) => socket.destroy());
        s.listen(0, "127.0.0.1", () => resolve(s));
      });
    server = await listen();
    open = (server.address() as { port: number }).port;
    const gone = await listen();
    closed = (gone.address() as { port: number }).port;
    await new Promise((r) => gone.close(r));
  });

  afterAll(async () => {
    await new Promise((r) => server.close(r));
  });

  it("tells a port something listens on from one nothing does", async () => {
    expect(await tcpAnswers("127.0.0.1", open)).toBe(true);
    expect(await tcpAnswers("127.0.0.1", closed)).toBe(false);
  });

  it("embeds what does not answer on the port plan, and nothing when the URLs are configured", async () => {
    const plan = loadConfig({ DEFAULT_POSTGRES_PORT: String(closed), DEFAULT_NATS_PORT: String(open) });
    expect(await probeLocalServices(plan)).toEqual({ postgres: "embedded", nats: "external" });
    const configured = loadConfig({
      DEFAULT_POSTGRES_PORT: String(closed),
      DATABASE_URL: `postgres://postgres@127.0.0.1:${closed + 1}/headless_ops`,
      DEFAULT_NATS_PORT: String(closed),
      NATS_URL: `nats://127.0.0.1:${closed + 1}`,
    });
    expect(await probeLocalServices(configured)).toEqual({ postgres: "external", nats: "external" });
  });
});
