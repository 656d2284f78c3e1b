import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { type Logger, SERVICE_NODE_FLAGS } from "@headless-ops/runtime";
import type { PrefixedOutput } from "./prefixed-output.js";
import type { ChildSpec } from "./service-plan.js";

export type ChildExit = { name: string; code: number | null; signal: NodeJS.Signals | null };

type Running = { spec: ChildSpec; child: ChildProcess; closed: Promise<ChildExit>; done: boolean };

/**
 * Runs the services as child processes with prefixed logs. Children get their own
 * process group (`detached`) so a terminal's Ctrl-C reaches only the launcher, which
 * then stops them in order; if the launcher itself exits, whatever still runs is killed.
 */
export class Supervisor {
  private readonly running: Running[] = [];
  private stopPromise: Promise<boolean> | undefined;

  constructor(
    private readonly opts: {
      baseEnv: Record<string, string | undefined>;
      output: PrefixedOutput;
      log: Logger;
      graceMs: number;
      /** A child ended while the launcher was not stopping. */
      onUnexpectedExit: (exit: ChildExit) => void;
    },
  ) {
    process.once("exit", () => this.kill());
  }

  get stopping(): boolean {
    return this.stopPromise !== undefined;
  }

  start(spec: ChildSpec): void {
    // The flags the Dockerfile gives every service (NODE_OPTIONS): the same memory as in production.
    const child = spawn(process.execPath, [...SERVICE_NODE_FLAGS, spec.script], {
      env: { ...this.opts.baseEnv, ...spec.env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on("line", (l) => this.opts.output.line(spec.name, l));
    }
    const entry: Running = {
      spec,
      child,
      done: false,
      closed: Promise.resolve({ name: spec.name, code: null, signal: null }),
    };
    entry.closed = new Promise<ChildExit>((resolve) => {
      child.once("error", (err) => {
        this.opts.log.error({ child: spec.name, err }, "could not start process");
      });
      // `close` comes after the child's stdout/stderr ended: no log line is lost.
      child.once("close", (code, signal) => {
        entry.done = true;
        const exit = { name: spec.name, code, signal };
        if (!this.stopping) this.opts.onUnexpectedExit(exit);
        resolve(exit);
      });
    });
    this.running.push(entry);
    this.opts.log.info({ child: spec.name, childPid: child.pid }, "process started");
  }

  /**
   * SIGTERM to every child, waits for each (up to the grace period, then SIGKILL).
   * Idempotent. Resolves true when every child exited 0 (or was already gone cleanly).
   */
  stop(): Promise<boolean> {
    this.stopPromise ??= this.stopAll();
    return this.stopPromise;
  }

  /** SIGKILL to every child still running (a second Ctrl-C, or the launcher exiting). */
  kill(): void {
    for (const r of this.running) if (!r.done) signalGroup(r.child, "SIGKILL");
  }

  private async stopAll(): Promise<boolean> {
    for (const r of this.running) if (!r.done) signalGroup(r.child, "SIGTERM");
    const timer = setTimeout(() => {
      const late = this.running.filter((r) => !r.done).map((r) => r.spec.name);
      this.opts.log.warn({ children: late }, "grace period over, killing");
      this.kill();
    }, this.opts.graceMs + 2_000);
    const exits = await Promise.all(this.running.map((r) => r.closed));
    clearTimeout(timer);
    let clean = true;
    for (const exit of exits) {
      if (exit.code === 0) continue;
      clean = false;
      this.opts.log.warn(
        { child: exit.name, code: exit.code, signal: exit.signal },
        "process did not exit cleanly",
      );
    }
    return clean;
  }
}

function signalGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    // Negative pid: the child's whole process group (it is its group leader).
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
