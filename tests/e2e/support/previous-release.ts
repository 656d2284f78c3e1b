import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const journal = "libs/db/migrations/meta/_journal.json";
const git = (root: string, args: string[]) =>
  execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
const entries = (text: string) => (JSON.parse(text) as { entries: unknown[] }).entries.length;

/**
 * The newest commit on this branch's first-parent history that ships fewer migrations than the work
 * tree: the release a rolling upgrade starts from, one migration step back.
 */
export function previousReleaseCommit(root: string): string | undefined {
  const now = entries(readFileSync(join(root, journal), "utf8"));
  const touching = git(root, ["log", "--first-parent", "--format=%H", "--", journal]).split("\n");
  for (const sha of touching) {
    let before: string;
    try {
      before = git(root, ["show", `${sha}^1:${journal}`]);
    } catch {
      return undefined; // the first commit: nothing before it
    }
    if (entries(before) < now) return git(root, ["rev-parse", `${sha}^1`]);
  }
  return undefined;
}

/**
 * Checks `commit` out in a temporary worktree under /tmp and builds it, with this tree's
 * node_modules hard-linked in (the workspace links in it are relative, so they point at the old
 * sources). Returns its root; `remove()` deletes the worktree.
 */
export function buildPreviousRelease(root: string, commit: string): { dir: string; remove: () => void } {
  const dir = `/tmp/headless-ops-prev-${commit.slice(0, 12)}`;
  const remove = () => {
    try {
      git(root, ["worktree", "remove", "--force", dir]);
    } catch {
      // already gone
    }
  };
  if (!existsSync(join(dir, "services/aggregator/dist/main.js"))) {
    remove();
    git(root, ["worktree", "add", "--detach", dir, commit]);
    execFileSync("cp", ["-al", join(root, "node_modules"), join(dir, "node_modules")]);
    // Packages npm nested under a workspace (a version other than the hoisted one) come along too.
    for (const group of ["libs", "services", "tools"]) {
      for (const name of readdirSync(join(root, group))) {
        const nested = join(root, group, name, "node_modules");
        if (existsSync(nested) && existsSync(join(dir, group, name)))
          execFileSync("cp", ["-al", nested, join(dir, group, name, "node_modules")]);
      }
    }
    // Only what the upgrade test runs: the four services (and the libs they reference).
    const services = ["api", "scheduler", "prober", "aggregator"].map((s) => `services/${s}`);
    execFileSync(process.execPath, [join(dir, "node_modules/typescript/bin/tsc"), "-b", ...services], {
      cwd: dir,
      stdio: "ignore",
    });
  }
  return { dir, remove };
}
