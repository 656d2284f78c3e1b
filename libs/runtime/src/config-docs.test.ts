import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { configSchema, loadConfig } from "./config.js";

const root = new URL("../../../", import.meta.url);
const keys = Object.keys(configSchema.shape);

describe("configuration documentation", () => {
  it("names every variable in the README's configuration table", () => {
    const readme = readFileSync(new URL("README.md", root), "utf8");
    const table = readme.slice(readme.indexOf("## Configuration"));
    const missing = keys.filter((key) => !table.includes(`\`${key}\``));
    expect(missing, "variables missing from README ## Configuration").toEqual([]);
  });

  it("lists every variable in .env.example with a value the schema accepts", () => {
    const lines = readFileSync(new URL(".env.example", root), "utf8")
      .split("\n")
      .filter((line) => /^[A-Z_]+=/.test(line));
    const env = Object.fromEntries(lines.map((line) => line.split(/=(.*)/s).slice(0, 2)));
    expect(Object.keys(env).sort()).toEqual([...keys].sort());
    expect(() => loadConfig(env)).not.toThrow();
  });
});
