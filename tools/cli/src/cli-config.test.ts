import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { configFilePath, loadCliConfig, parseCliEnv } from "./cli-config.js";

function configFile(content: string, mode: number): string {
  const path = join(mkdtempSync(join(tmpdir(), "cli-config-")), "config.json");
  writeFileSync(path, content);
  chmodSync(path, mode);
  return path;
}

describe("CLI configuration", () => {
  it("takes URL and token from the environment", () => {
    const env = parseCliEnv({
      HEADLESS_OPS_URL: "http://127.0.0.1:3000",
      HEADLESS_OPS_TOKEN: "t0k",
      PATH: "/bin",
    });
    expect(loadCliConfig({ ...env, HEADLESS_OPS_CONFIG: "/nonexistent" })).toEqual({
      url: "http://127.0.0.1:3000",
      token: "t0k",
    });
  });

  it("reads a 0600 config file, the environment overriding it", () => {
    const path = configFile(JSON.stringify({ url: "https://ops.example.net", token: "from-file" }), 0o600);
    expect(loadCliConfig(parseCliEnv({ HEADLESS_OPS_CONFIG: path }))).toEqual({
      url: "https://ops.example.net",
      token: "from-file",
    });
    expect(loadCliConfig(parseCliEnv({ HEADLESS_OPS_CONFIG: path, HEADLESS_OPS_TOKEN: "env" })).token).toBe(
      "env",
    );
  });

  it("refuses a config file others can read, saying how to fix it", () => {
    const path = configFile(JSON.stringify({ url: "https://ops.example.net", token: "secret" }), 0o644);
    expect(() => loadCliConfig(parseCliEnv({ HEADLESS_OPS_CONFIG: path }))).toThrow(`chmod 600 ${path}`);
    expect(() => loadCliConfig(parseCliEnv({ HEADLESS_OPS_CONFIG: path }))).toThrow(/permissions 644/);
  });

  it("rejects a bad URL and an incomplete configuration with one clear message", () => {
    expect(() => parseCliEnv({ HEADLESS_OPS_URL: "ftp://x" })).toThrow(/HEADLESS_OPS_URL/);
    expect(() =>
      loadCliConfig(parseCliEnv({ HEADLESS_OPS_URL: "http://x", HEADLESS_OPS_CONFIG: "/nonexistent" })),
    ).toThrow(/not configured: set HEADLESS_OPS_TOKEN/);
    const broken = configFile("{not json", 0o600);
    expect(() => loadCliConfig(parseCliEnv({ HEADLESS_OPS_CONFIG: broken }))).toThrow(/not valid JSON/);
  });

  it("defaults to the XDG config directory", () => {
    expect(configFilePath(parseCliEnv({ XDG_CONFIG_HOME: "/home/a/.cfg" }))).toBe(
      "/home/a/.cfg/headless-ops/config.json",
    );
  });
});
