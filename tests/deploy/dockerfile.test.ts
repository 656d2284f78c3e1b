import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { SERVICE_NODE_FLAGS } from "@headless-ops/runtime";
import { describe, expect, it } from "vitest";
import {
  copyPaths,
  dockerIgnored,
  execForm,
  readDockerfile,
  readDockerignore,
  type Stage,
} from "./support/dockerfile.js";
import {
  configDefault,
  runtimeClosure,
  serviceCommand,
  serviceNames,
  workspaceDirs,
} from "./support/packages.js";
import { repoRoot } from "./support/render.js";

const stages = readDockerfile();
const final = stages.at(-1) as Stage;
const of = (stage: Stage, keyword: string) => stage.instructions.filter((i) => i.keyword === keyword);
const ignore = readDockerignore();

/** What the final stage copies from other stages: "stage:/abs/src" -> dest relative to WORKDIR. */
const finalCopies = of(final, "COPY").flatMap((i) => {
  const { sources, dest } = copyPaths(i);
  return sources.map((src) => ({ from: i.flags.from ?? "", src, dest }));
});

describe("Dockerfile", () => {
  it("is multi-stage, and the final stage is a slim Node image of the major the tests run on", () => {
    expect(stages.length).toBeGreaterThanOrEqual(3);
    const pkg = JSON.parse(readFileSync(join(repoRoot, "package.json"), "utf8")) as {
      engines: { node: string };
      devDependencies: Record<string, string>;
    };
    const major = /(\d+)/.exec(pkg.devDependencies.node ?? "")?.[1];
    expect(major, "the node package pins the test runtime").toBe("24");
    expect(process.versions.node.split(".")[0], "npm test runs the project's own node").toBe(major);
    expect(pkg.engines.node).toBe(`>=${major}`);
    expect(final.image).toMatch(new RegExp(`^node:${major}[\\w.-]*-slim$`));
    expect(of(final, "WORKDIR").at(-1)?.args).toBe("/app");
  });

  it("runs as a non-root user, numeric so runAsNonRoot can verify it", () => {
    const user = of(final, "USER").at(-1)?.args ?? "root";
    const [uid = ""] = user.split(":");
    expect(uid).toMatch(/^\d+$/);
    expect(Number(uid)).toBeGreaterThan(0);
  });

  it("starts the api by default with the command of its start script; the command picks the service", () => {
    expect(of(final, "ENTRYPOINT")).toEqual([]);
    expect(execForm(of(final, "CMD").at(-1))).toEqual(serviceCommand("api"));
  });

  it("starts every process with the V8 flags the benchmark and the launcher use (SERVICE_NODE_FLAGS)", () => {
    const env = of(final, "ENV").map((i) => i.args);
    expect(env).toContain(`NODE_OPTIONS="${SERVICE_NODE_FLAGS.join(" ")}"`);
  });

  it("exposes the config defaults of PORT and METRICS_PORT", () => {
    const exposed = of(final, "EXPOSE").flatMap((i) => i.args.split(/\s+/).map(Number));
    expect(exposed.sort()).toEqual([configDefault("PORT"), configDefault("METRICS_PORT")].sort());
  });

  it("ships node_modules from a stage that installed production dependencies only", () => {
    const modules = finalCopies.filter((c) => c.src.endsWith("/node_modules"));
    expect(modules).toHaveLength(1);
    const deps = stages.find((s) => s.name === modules[0]?.from);
    const installs = (deps ? of(deps, "RUN") : [])
      .map((r) => r.args)
      .filter((a) => /\bnpm (ci|install)\b/.test(a));
    expect(installs).toHaveLength(1);
    expect(installs[0]).toMatch(/npm ci\b.*--omit=dev/);
    expect(of(final, "RUN")).toEqual([]);
  });

  it("copies the package.json and dist/ of every package a service needs, at its repo path", () => {
    const copied = new Set(finalCopies.filter((c) => c.from === "build").map((c) => c.dest));
    for (const c of finalCopies.filter((x) => x.from === "build")) expect(c.src).toBe(`/app/${c.dest}`);
    for (const service of serviceNames) {
      for (const dir of runtimeClosure(service)) {
        expect(copied.has(`${dir}/package.json`), `${dir}/package.json`).toBe(true);
        expect(copied.has(`${dir}/dist`), `${dir}/dist`).toBe(true);
        const tsconfig = JSON.parse(readFileSync(join(repoRoot, dir, "tsconfig.json"), "utf8"));
        expect(tsconfig.compilerOptions.outDir, `${dir} compiles to dist/`).toBe("dist");
      }
    }
    for (const dest of copied) {
      const source = dest.endsWith("/dist") ? dest.replace(/\/dist$/, "/tsconfig.json") : dest;
      expect(existsSync(join(repoRoot, source)), `${dest} has no source in the repo`).toBe(true);
    }
  });

  it("ships the worker host (libs/worker) that scheduler, prober and aggregator start through", () => {
    const copied = new Set(finalCopies.filter((c) => c.from === "build").map((c) => c.dest));
    for (const service of ["scheduler", "prober", "aggregator"] as const) {
      expect(runtimeClosure(service), service).toContain("libs/worker");
    }
    expect(copied.has("libs/worker/package.json")).toBe(true);
    expect(copied.has("libs/worker/dist")).toBe(true);
  });

  it("ships the committed migrations the migrate command applies", () => {
    expect(finalCopies.some((c) => c.dest === "libs/db/migrations")).toBe(true);
    const folder = join(repoRoot, "libs/db/migrations");
    expect(readdirSync(folder).some((f) => f.endsWith(".sql"))).toBe(true);
    expect(existsSync(join(folder, "meta/_journal.json"))).toBe(true);
    expect(dockerIgnored(ignore, "libs/db/migrations/meta/_journal.json")).toBe(false);
  });

  it("installs with every workspace's package.json, found by the manifests stage", () => {
    const manifests = stages.find((s) => s.name === "manifests");
    const find = (manifests ? of(manifests, "RUN") : []).map((r) => r.args).join(" ");
    const min = Number(/-mindepth (\d+)/.exec(find)?.[1]);
    const max = Number(/-maxdepth (\d+)/.exec(find)?.[1]);
    for (const dir of workspaceDirs()) {
      const depth = `./${dir}/package.json`.split("/").length - 1;
      expect(depth >= min && depth <= max, `${dir}/package.json at depth ${depth}`).toBe(true);
      expect(dockerIgnored(ignore, `${dir}/package.json`), `${dir}/package.json is ignored`).toBe(false);
    }
  });

  it("installs with --ignore-scripts, which no production dependency needs", () => {
    const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
      packages: Record<string, { dev?: boolean; hasInstallScript?: boolean }>;
    };
    const scripted = Object.entries(lock.packages).filter(([, p]) => p.hasInstallScript && !p.dev);
    expect(scripted.map(([name]) => name)).toEqual([]);
    const installs = stages.flatMap((s) => of(s, "RUN")).filter((r) => /\bnpm ci\b/.test(r.args));
    for (const run of installs) expect(run.args).toContain("--ignore-scripts");
  });

  it("copies from the build context only what exists there", () => {
    for (const stage of stages) {
      for (const copy of of(stage, "COPY").filter((i) => !i.flags.from)) {
        for (const src of copyPaths(copy).sources) {
          expect(existsSync(join(repoRoot, src)), `${stage.name}: COPY ${src}`).toBe(true);
        }
      }
    }
  });
});

describe(".dockerignore", () => {
  it("keeps out dependencies, build output and secrets", () => {
    for (const path of [
      "node_modules/x",
      "libs/db/node_modules/x",
      "libs/db/dist/index.js",
      ".env",
      ".git/HEAD",
    ]) {
      expect(dockerIgnored(ignore, path), path).toBe(true);
    }
  });

  it("keeps in everything the build needs", () => {
    const needed = ["package.json", "package-lock.json", "tsconfig.base.json", "tsconfig.build.json"];
    for (const dir of workspaceDirs())
      needed.push(`${dir}/package.json`, `${dir}/tsconfig.json`, `${dir}/src/index.ts`);
    for (const service of serviceNames) needed.push(`services/${service}/src/main.ts`);
    for (const path of needed) expect(dockerIgnored(ignore, path), path).toBe(false);
  });
});
