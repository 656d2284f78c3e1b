import { execFile } from "node:child_process";
import { join } from "node:path";

/**
 * The API's admin CLI (`services/api/dist/admin.js`), run as a process: the demo creates
 * organizations and its token exactly as an operator would, without a second copy of that logic.
 */
export class AdminCli {
  constructor(
    private readonly root: string,
    private readonly env: Record<string, string | undefined>,
  ) {}

  /** Creates an organization; one that already exists is fine (the demo may run twice). */
  async createOrganization(id: number, name: string): Promise<"saved" | "exists"> {
    const res = await this.run(["org", "create", "--id", String(id), "--name", name]);
    if (res.code === 0) return "saved";
    if (/exist|duplicate|already/i.test(res.stdout + res.stderr)) return "exists";
    throw new Error(`admin org create ${id} failed (exit ${res.code}): ${tail(res.stderr || res.stdout)}`);
  }

  /** Creates a token and returns it (printed once by the CLI). */
  async createToken(opts: { organizations: number[]; role: string; name: string }): Promise<string> {
    const args = ["token", "create", ...opts.organizations.flatMap((o) => ["--org", String(o)])];
    const res = await this.run([...args, "--role", opts.role, "--name", opts.name]);
    if (res.code !== 0) {
      throw new Error(`admin token create failed (exit ${res.code}): ${tail(res.stderr || res.stdout)}`);
    }
    const token = parseToken(res.stdout);
    if (!token) throw new Error("admin token create printed no token");
    return token;
  }

  private run(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    const script = join(this.root, "services", "api", "dist", "admin.js");
    return new Promise((resolve) => {
      execFile(
        process.execPath,
        [script, ...args],
        { env: { ...this.env, LOG_PRETTY: "false" }, timeout: 30_000 },
        (err, stdout, stderr) => {
          const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
          resolve({ code, stdout, stderr });
        },
      );
    });
  }
}

/**
 * The token in the CLI's output: a JSON object's `token`, or else the longest token-like
 * word (the CLI may print a sentence around it, or log lines).
 */
export function parseToken(stdout: string): string | undefined {
  for (const line of stdout.split("\n")) {
    const trimmed = line.trim();
    if (!trimmed.startsWith("{")) continue;
    try {
      const parsed = JSON.parse(trimmed) as { token?: unknown; msg?: unknown };
      if (typeof parsed.token === "string" && parsed.msg === undefined) return parsed.token;
    } catch {
      // not JSON: look at words below
    }
  }
  const words = stdout
    .split("\n")
    .filter((l) => !l.trim().startsWith("{"))
    .flatMap((l) => l.split(/[\s"'`]+/))
    .filter((w) => /^[A-Za-z0-9_\-.~+/=]{24,}$/.test(w) && !w.includes("://"));
  return words.sort((a, b) => b.length - a.length)[0];
}

function tail(text: string): string {
  return text.trim().split("\n").slice(-3).join(" | ");
}
