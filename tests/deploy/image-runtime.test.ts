import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { copyPaths, readDockerfile } from "./support/dockerfile.js";
import { migrateCommand, serviceCommand, serviceNames } from "./support/packages.js";
import { repoRoot } from "./support/render.js";

/*
 * The image's runtime stage without a Docker engine: the manifests stage's package files, the
 * prod-deps stage's `npm ci --omit=dev --ignore-scripts`, the runtime stage's COPY --from=build of
 * every package.json and dist/, in a scratch folder. Each entry point then starts on the test's
 * Node (the image's major, dockerfile.test.ts) far enough to load every module and reject a bad
 * config: a dependency missing from the production install fails the ESM link first.
 */

const run = promisify(execFile);
let app: string;

/** ./<folder>/<name>/package.json of every workspace, as the manifests stage copies them. */
function workspaceManifests(): string[] {
  const out: string[] = [];
  for (const folder of ["libs", "services", "tools"]) {
    for (const name of readdirSync(join(repoRoot, folder))) {
      const path = join(folder, name, "package.json");
      if (existsSync(join(repoRoot, path))) out.push(path);
    }
  }
  return out;
}

beforeAll(async () => {
  app = mkdtempSync(join(tmpdir(), "ho-image-"));
  for (const file of ["package.json", "package-lock.json", ...workspaceManifests()]) {
    mkdirSync(dirname(join(app, file)), { recursive: true });
    cpSync(join(repoRoot, file), join(app, file));
  }
  await run("npm", ["ci", "--omit=dev", "--ignore-scripts", "--prefer-offline", "--no-audit", "--no-fund"], {
    cwd: app,
    // A clean npm environment (no npm_config_* of the parent `npm test`), but the machine's trust
    // and proxy settings, which the registry may need.
    env: {
      PATH: process.env.PATH ?? "",
      HOME: process.env.HOME ?? app,
      ...Object.fromEntries(
        Object.entries(process.env).filter(
          ([k]) => k === "NODE_EXTRA_CA_CERTS" || /^(https?|no)_proxy$/i.test(k),
        ),
      ),
    },
  });
  const runtime = readDockerfile().at(-1);
  for (const copy of (runtime?.instructions ?? []).filter(
    (i) => i.keyword === "COPY" && i.flags.from === "build",
  )) {
    const { sources, dest } = copyPaths(copy);
    for (const src of sources)
      cpSync(join(repoRoot, src.replace(/^\/app\//, "")), join(app, dest), { recursive: true });
  }
}, 300_000);

afterAll(() => {
  if (app) rmSync(app, { recursive: true, force: true });
});

const entryPoints = [...serviceNames.map((s) => serviceCommand(s)), migrateCommand()];

describe("the image's runtime stage, assembled without Docker", () => {
  it("has only production dependencies (no vitest, no typescript)", () => {
    expect(existsSync(join(app, "node_modules", "vitest"))).toBe(false);
    expect(existsSync(join(app, "node_modules", "typescript"))).toBe(false);
    expect(existsSync(join(app, "node_modules", "pino"))).toBe(true);
  });

  it.each(entryPoints.map((c) => [c.slice(1).join(" "), c] as const))(
    "starts %s and stops at the config check",
    async (_name, [, script = "", ...args]) => {
      const child = await run(process.execPath, [script, ...args], {
        cwd: app,
        env: { PATH: process.env.PATH ?? "", NODE_ENV: "production", LOG_LEVEL: "not-a-level" },
        timeout: 60_000,
      }).then(
        () => ({ code: 0, output: "" }),
        (err: { code?: number; stdout?: string; stderr?: string }) => ({
          code: err.code ?? -1,
          output: `${err.stdout ?? ""}${err.stderr ?? ""}`,
        }),
      );
      expect(child.output).not.toContain("ERR_MODULE_NOT_FOUND");
      expect(child.output).toContain('"code":"invalid_config"');
      expect(child.code).not.toBe(0);
    },
    90_000,
  );
});
