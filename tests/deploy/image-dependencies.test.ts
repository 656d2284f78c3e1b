import { existsSync, readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runtimeClosure, serviceNames } from "./support/packages.js";
import { repoRoot } from "./support/render.js";

/**
 * Non-test TypeScript sources of a package that Node loads at run time. A browser bundle (a package
 * built by Vite, the dashboard) is not: Vite inlines its imports at build time, the image serves files.
 */
function sources(dir: string): string[] {
  const out: string[] = [];
  if (existsSync(join(repoRoot, dir, "vite.config.ts"))) return out;
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const path = join(d, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push(path);
    }
  };
  walk(join(repoRoot, dir, "src"));
  return out;
}

/** Packages a module loads at run time (type-only imports are erased by tsc). */
function runtimeImports(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = [
    ...text.matchAll(/^\s*(?:import|export)\s+(?!type\s)[^;]*?\bfrom\s+"([^"]+)"/gm),
    ...text.matchAll(/^\s*import\s+"([^"]+)"/gm),
    ...text.matchAll(/\bimport\(\s*"([^"]+)"\s*\)/g),
  ].map((m) => m[1] ?? "");
  return found
    .filter((s) => !s.startsWith(".") && !s.startsWith("node:") && !builtinModules.includes(s))
    .map((s) => (s.startsWith("@") ? s.split("/").slice(0, 2).join("/") : (s.split("/")[0] ?? s)));
}

const lock = JSON.parse(readFileSync(join(repoRoot, "package-lock.json"), "utf8")) as {
  packages: Record<string, { dev?: boolean; link?: boolean }>;
};

/**
 * The image runs `npm ci --omit=dev`: a package the code imports must be installed there, i.e. be a
 * non-dev entry of the lockfile, nested under the importing workspace or hoisted to the root.
 */
describe.each(serviceNames)("the image's %s", (service) => {
  it("installs every package its code imports at run time", () => {
    const problems: string[] = [];
    for (const dir of runtimeClosure(service)) {
      for (const file of sources(dir)) {
        for (const pkg of runtimeImports(file)) {
          const locked = lock.packages[`${dir}/node_modules/${pkg}`] ?? lock.packages[`node_modules/${pkg}`];
          const where = file.slice(repoRoot.length);
          if (!locked) problems.push(`${where} imports ${pkg}, missing from package-lock.json`);
          else if (locked.dev) problems.push(`${where} imports ${pkg}, which npm ci --omit=dev leaves out`);
        }
      }
    }
    expect(problems).toEqual([]);
  });
});
