import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { findNatsServer, natsServerHelp } from "./embedded-nats.js";
import { NatsServerMissingError } from "./errors.js";

describe("finding nats-server", () => {
  let dir: string;
  let bin: string;
  const url = "nats://127.0.0.1:4222";

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "nats-bin-"));
    bin = join(dir, "nats-server");
    await writeFile(bin, "#!/bin/sh\n");
    await chmod(bin, 0o755);
    await writeFile(join(dir, "not-executable"), "");
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("takes NATS_SERVER_BIN, else the first nats-server on PATH or in the known folders", () => {
    expect(findNatsServer({ bin, path: "", url })).toBe(bin);
    expect(findNatsServer({ bin: undefined, path: ["/nonexistent", dir].join(delimiter), url })).toBe(bin);
    expect(findNatsServer({ bin: undefined, path: "/nonexistent", dirs: [dir], url })).toBe(bin);
  });

  it("says how to get one when there is none, or NATS_SERVER_BIN is not one", () => {
    const missing = (opts: Parameters<typeof findNatsServer>[0]) => {
      try {
        findNatsServer(opts);
      } catch (err) {
        return err;
      }
      throw new Error("found a nats-server");
    };
    const none = missing({ bin: undefined, path: "/nonexistent", dirs: ["/nonexistent-too"], url });
    expect(none).toBeInstanceOf(NatsServerMissingError);
    expect((none as NatsServerMissingError).help).toBe(natsServerHelp(url));
    const wrong = missing({ bin: join(dir, "not-executable"), path: dir, url });
    expect((wrong as Error).message).toMatch(/NATS_SERVER_BIN=.*not-executable is not an executable file/);
  });

  it("names the Debian/Ubuntu package, Homebrew and the official container", () => {
    const help = natsServerHelp(url);
    expect(help).toContain(url);
    expect(help).toContain("sudo apt install nats-server");
    expect(help).toContain("brew install nats-server");
    expect(help).toContain("docker run -p 4222:4222 nats -js");
    expect(help).toContain("NATS_SERVER_BIN");
  });
});
