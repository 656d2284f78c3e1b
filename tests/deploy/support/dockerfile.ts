import { readFileSync } from "node:fs";
import { join } from "node:path";
import { repoRoot } from "./render.js";

export type Instruction = { keyword: string; args: string; flags: Record<string, string> };
export type Stage = { name: string; image: string; instructions: Instruction[] };

/** Parses a Dockerfile into stages: continuation lines joined, comments dropped, ARGs before FROM expanded. */
export function parseDockerfile(text: string): Stage[] {
  const logical = text
    .replace(/\\\r?\n/g, " ")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const globalArgs: Record<string, string> = {};
  const stages: Stage[] = [];
  for (const line of logical) {
    const [, keyword = "", rest = ""] = /^(\S+)\s*(.*)$/.exec(line) ?? [];
    const flags: Record<string, string> = {};
    let args = rest;
    for (let m = /^--([\w-]+)(?:=(\S+))?\s*/.exec(args); m; m = /^--([\w-]+)(?:=(\S+))?\s*/.exec(args)) {
      flags[m[1] ?? ""] = m[2] ?? "true";
      args = args.slice(m[0].length);
    }
    const upper = keyword.toUpperCase();
    if (upper === "ARG" && stages.length === 0) {
      const [k = "", v = ""] = args.split("=");
      globalArgs[k] = v;
      continue;
    }
    if (upper === "FROM") {
      const expanded = args.replace(/\$\{?(\w+)\}?/g, (_, k: string) => globalArgs[k] ?? "");
      const [image = "", as, name] = expanded.split(/\s+/);
      stages.push({
        image,
        name: as?.toUpperCase() === "AS" && name ? name : String(stages.length),
        instructions: [],
      });
      continue;
    }
    const stage = stages.at(-1);
    if (!stage) throw new Error(`instruction before FROM: ${line}`);
    stage.instructions.push({ keyword: upper, args, flags });
  }
  return stages;
}

export function readDockerfile(): Stage[] {
  return parseDockerfile(readFileSync(join(repoRoot, "Dockerfile"), "utf8"));
}

/** COPY's sources and destination (shell form; paths have no spaces here). */
export function copyPaths(instruction: Instruction): { sources: string[]; dest: string } {
  const parts = instruction.args.split(/\s+/);
  const dest = parts.pop() ?? "";
  return { sources: parts, dest };
}

/** The JSON exec form of CMD/ENTRYPOINT, or undefined for the shell form. */
export function execForm(instruction: Instruction | undefined): string[] | undefined {
  if (!instruction?.args.startsWith("[")) return undefined;
  return JSON.parse(instruction.args) as string[];
}

function patternToRegExp(pattern: string): RegExp {
  let out = "";
  const p = pattern.replace(/^\/+/, "").replace(/\/+$/, "");
  for (let i = 0; i < p.length; i++) {
    const ch = p[i] ?? "";
    if (ch === "*" && p[i + 1] === "*") {
      const slash = p[i + 2] === "/";
      out += slash ? "(?:.*/)?" : ".*";
      i += slash ? 2 : 1;
    } else if (ch === "*") out += "[^/]*";
    else if (ch === "?") out += "[^/]";
    else out += ch.replace(/[.+^${}()|[\]\\]/g, "\\$&");
  }
  return new RegExp(`^${out}$`);
}

/** Docker's .dockerignore semantics: the last matching rule wins; excluding a folder excludes its contents. */
export function dockerIgnored(rules: string[], path: string): boolean {
  const parents = path.split("/").map((_, i, parts) => parts.slice(0, i + 1).join("/"));
  let ignored = false;
  for (const raw of rules) {
    const negated = raw.startsWith("!");
    const re = patternToRegExp(negated ? raw.slice(1) : raw);
    if (parents.some((p) => re.test(p))) ignored = !negated;
  }
  return ignored;
}

export function readDockerignore(): string[] {
  return readFileSync(join(repoRoot, ".dockerignore"), "utf8")
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}
