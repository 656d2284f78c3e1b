import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { configSchema, SERVICE_NODE_FLAGS } from "@headless-ops/runtime";
import { freePort, waitFor } from "./services.js";

/** The repository root (this file is libs/testkit/{src,dist}/processes.*). */
export const repoRoot = fileURLToPath(new URL("../../../", import.meta.url));

export type ProcessExit = { code: number | null; signal: NodeJS.Signals | null };

/** A parsed pino line (or `{ msg: <raw line> }` for anything that is not JSON). */
export type LogRecord = { level?: number; msg?: string; [key: string]: unknown };

const started = new Set<ChildProcess>();
// A test file that crashes or times out must not leave services running.
process.once("exit", () => {
  for (const child of started) child.kill("SIGKILL");
});

/**
 * A service (or any node script) running as a real child process. Its stdout/stderr are
 * kept (the last `maxLines` lines) for assertions and for failure messages.
 */
export class ServiceProcess {
  readonly lines: string[] = [];
  readonly exited: Promise<ProcessExit>;
  private exit: ProcessExit | undefined;

  constructor(
    readonly name: string,
    readonly child: ChildProcess,
    /** Where /healthz and /readyz answer (the API's PORT, a worker's METRICS_PORT), when known. */
    readonly port: number | undefined,
    opts: { echo?: boolean; maxLines?: number; onLine?: (line: string) => void } = {},
  ) {
    const maxLines = opts.maxLines ?? 5_000;
    const collect = (chunk: Buffer, buffer: { rest: string }) => {
      const text = buffer.rest + chunk.toString("utf8");
      const parts = text.split("\n");
      buffer.rest = parts.pop() ?? "";
      for (const line of parts) {
        if (line === "") continue;
        this.lines.push(line);
        if (this.lines.length > maxLines) this.lines.shift();
        if (opts.echo) process.stderr.write(`[${name}] ${line}\n`);
        opts.onLine?.(line);
      }
    };
    const out = { rest: "" };
    const err = { rest: "" };
    child.stdout?.on("data", (c: Buffer) => collect(c, out));
    child.stderr?.on("data", (c: Buffer) => collect(c, err));
    started.add(child);
    this.exited = new Promise((resolve) => {
      child.once("close", (code, signal) => {
        for (const rest of [out.rest, err.rest]) if (rest) this.lines.push(rest);
        started.delete(child);
        this.exit = { code, signal };
        resolve(this.exit);
      });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  get running(): boolean {
    return this.exit === undefined;
  }

  get url(): string {
    if (this.port === undefined) throw new Error(`${this.name}: no port known`);
    return `http://127.0.0.1:${this.port}`;
  }

  /** Log lines parsed as pino JSON; lines that are not JSON come back as `{ msg }`. */
  logs(): LogRecord[] {
    return this.lines.map((line) => {
      try {
        const parsed = JSON.parse(line) as unknown;
        if (typeof parsed === "object" && parsed !== null) return parsed as LogRecord;
      } catch {
        // not JSON
      }
      return { msg: line };
    });
  }

  /** The last lines, for failure messages. */
  tail(n = 40): string {
    return this.lines.slice(-n).join("\n");
  }

  /** Waits until a log line matches (e.g. `(r) => r.msg === "fan-out done"`). */
  async waitForLog(match: (record: LogRecord) => boolean, timeoutMs = 15_000): Promise<LogRecord> {
    return waitFor(
      () => {
        const found = this.logs().find(match);
        if (found) return found;
        if (!this.running) throw new Error(`${this.name} exited:\n${this.tail()}`);
        return undefined;
      },
      { timeoutMs, what: `a log line of ${this.name}` },
    ).catch((err: unknown) => {
      throw new Error(`${(err as Error).message}\n--- ${this.name} output ---\n${this.tail()}`);
    });
  }

  /**
   * Polls `path` (default /readyz) until it answers 200; fails early, with the output, if the process exits.
   * The default deadline is generous: on a loaded shared machine a Node process starting beside others
   * can get a few seconds of CPU in half a minute, and a longer wait only delays a real failure.
   */
  async waitUntilReady(opts: { path?: string; timeoutMs?: number } = {}): Promise<void> {
    const url = `${this.url}${opts.path ?? "/readyz"}`;
    const timeoutMs = opts.timeoutMs ?? 90_000;
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (!this.running) {
        throw new Error(`${this.name} exited (${JSON.stringify(this.exit)}) before ready:\n${this.tail()}`);
      }
      try {
        const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
        await res.body?.cancel();
        if (res.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`${this.name} not ready at ${url} after ${timeoutMs} ms:\n${this.tail()}`);
  }

  /** Sends `signal` and waits for the exit (SIGKILL after `timeoutMs`, and then this rejects). */
  async signal(signal: NodeJS.Signals = "SIGTERM", timeoutMs = 20_000): Promise<ProcessExit> {
    if (!this.running) return this.exit as ProcessExit;
    this.child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), timeoutMs);
    });
    const outcome = await Promise.race([this.exited, timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      this.child.kill("SIGKILL");
      await this.exited;
      throw new Error(`${this.name} did not exit within ${timeoutMs} ms of ${signal}:\n${this.tail()}`);
    }
    return outcome;
  }

  /** Graceful stop: SIGTERM, then asserts the exit code (0 by default). */
  async stop(opts: { expectCode?: number | null; timeoutMs?: number } = {}): Promise<ProcessExit> {
    const exit = await this.signal("SIGTERM", opts.timeoutMs);
    const expected = opts.expectCode === undefined ? 0 : opts.expectCode;
    if (expected !== null && exit.code !== expected) {
      throw new Error(
        `${this.name} exited with ${JSON.stringify(exit)} after SIGTERM, expected code ${expected}:\n${this.tail()}`,
      );
    }
    return exit;
  }

  /** kill -9: no cleanup at all (crash tests). */
  kill(): Promise<ProcessExit> {
    return this.signal("SIGKILL");
  }
}

/** The environment for a child: the given variables only, plus the OS ones (PATH, HOME…), never a stray config variable of the test runner's shell. */
export function childEnv(env: Record<string, string | undefined>): Record<string, string> {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !(e[0] in configSchema.shape),
    ),
  );
  const extra = Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return { ...base, LOG_PRETTY: "false", ...extra };
}

/**
 * Starts `node [nodeArgs] <script> …args` (path relative to the repository root) with `env`.
 * `onLine` sees every output line (the benchmarks write them to their log file).
 */
export function startProcess(opts: {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string | undefined>;
  port?: number;
  echo?: boolean;
  onLine?: (line: string) => void;
}): ServiceProcess {
  // The flags production starts the services with (the Dockerfile's NODE_OPTIONS), then the caller's.
  const nodeArgs = [...SERVICE_NODE_FLAGS, ...(opts.nodeArgs ?? [])];
  const child = spawn(process.execPath, [...nodeArgs, opts.script, ...(opts.args ?? [])], {
    cwd: repoRoot,
    env: childEnv(opts.env),
    stdio: ["ignore", "pipe", "pipe"],
  });
  return new ServiceProcess(opts.name, child, opts.port, { echo: opts.echo, onLine: opts.onLine });
}

export type ServiceName = "api" | "scheduler" | "prober" | "aggregator" | "notifier";

type ServiceOptions = {
  env: Record<string, string | undefined>;
  name?: string;
  ready?: boolean;
  echo?: boolean;
};

/**
 * Spawns `services/<service>/dist/main.js` on a free port (PORT for the API, METRICS_PORT for the
 * workers); the API's own METRICS_PORT gets a free port too (`metricsPort`), unless `env` sets one.
 */
async function spawnService(service: ServiceName, opts: ServiceOptions): Promise<ServiceProcess> {
  const port = await freePort();
  const portVar = service === "api" ? "PORT" : "METRICS_PORT";
  const apiEnv =
    service === "api"
      ? { HOST: "127.0.0.1", METRICS_PORT: opts.env.METRICS_PORT ?? String(await freePort()) }
      : {};
  return startProcess({
    name: opts.name ?? service,
    script: `services/${service}/dist/main.js`,
    env: { ...opts.env, [portVar]: String(port), ...apiEnv },
    port,
    echo: opts.echo,
  });
}

/** Starts a service and, unless `ready: false`, waits until its /readyz answers 200. */
export async function startService(service: ServiceName, opts: ServiceOptions): Promise<ServiceProcess> {
  const proc = await spawnService(service, opts);
  if (opts.ready !== false) await proc.waitUntilReady();
  return proc;
}

/** Runs a node script to completion (e.g. the admin CLI) and returns its exit code and output. */
export function runScript(opts: {
  script: string;
  args?: string[];
  env: Record<string, string | undefined>;
  timeoutMs?: number;
}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [opts.script, ...(opts.args ?? [])], {
      cwd: repoRoot,
      env: childEnv(opts.env),
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c: Buffer) => {
      stdout += c.toString();
    });
    child.stderr.on("data", (c: Buffer) => {
      stderr += c.toString();
    });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${opts.script} ${opts.args?.join(" ") ?? ""} timed out:\n${stdout}${stderr}`));
    }, opts.timeoutMs ?? 30_000);
    child.once("error", reject);
    child.once("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/**
 * A set of processes stopped together: `stopAll()` sends SIGTERM to each, waits for all and
 * reports every one that did not exit 0 (a failed start still gets the others stopped).
 */
export class ProcessGroup {
  readonly processes: ServiceProcess[] = [];

  add(proc: ServiceProcess): ServiceProcess {
    this.processes.push(proc);
    return proc;
  }

  /** Starts a service in this group (stopped by `stopAll` even if it never got ready). */
  async start(service: ServiceName, opts: ServiceOptions): Promise<ServiceProcess> {
    const proc = this.add(await spawnService(service, opts));
    if (opts.ready !== false) await proc.waitUntilReady();
    return proc;
  }

  /** The process started last under `name` (after a kill and restart: the new one). */
  get(name: string): ServiceProcess {
    const found = this.processes.findLast((p) => p.name === name);
    if (!found) throw new Error(`no process ${name}`);
    return found;
  }

  /** Output of every process, for a failure message. */
  dump(lines = 30): string {
    return this.processes.map((p) => `--- ${p.name} (pid ${p.pid}) ---\n${p.tail(lines)}`).join("\n");
  }

  async stopAll(timeoutMs = 20_000): Promise<void> {
    const results = await Promise.allSettled(
      this.processes.filter((p) => p.running).map((p) => p.stop({ timeoutMs })),
    );
    const failures = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    if (failures.length > 0) {
      throw new Error(failures.map((f) => (f.reason as Error).message).join("\n\n"));
    }
  }
}
