import { type ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import type { PrefixedOutput } from "../prefixed-output.js";

export type EmbeddedExit = { code: number | null; signal: NodeJS.Signals | null };

/**
 * A backing server the launcher runs (postgres, nats-server): its own process group, so a terminal's
 * Ctrl-C reaches only the launcher, which stops it after the services; its output prefixed like theirs.
 * If the launcher exits without stopping it (a forced second Ctrl-C), `exitSignal` still asks it to
 * shut down on its own rather than leave it running.
 */
export class EmbeddedProcess {
  readonly exited: Promise<EmbeddedExit>;
  private readonly child: ChildProcess;
  private readonly stopSignal: NodeJS.Signals;
  private done = false;
  private stopping: Promise<EmbeddedExit> | undefined;

  constructor(
    readonly name: string,
    opts: {
      command: string;
      args: string[];
      env: Record<string, string>;
      output: PrefixedOutput;
      /** The signal that shuts it down cleanly (postgres: SIGINT, a fast shutdown; nats-server: SIGINT). */
      stopSignal: NodeJS.Signals;
      uid?: number;
      gid?: number;
      /** It ended while nobody asked it to. */
      onUnexpectedExit: (exit: EmbeddedExit) => void;
    },
  ) {
    this.stopSignal = opts.stopSignal;
    this.child = spawn(opts.command, opts.args, {
      env: opts.env,
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
      ...(opts.uid === undefined ? {} : { uid: opts.uid, gid: opts.gid }),
    });
    for (const stream of [this.child.stdout, this.child.stderr]) {
      if (stream) createInterface({ input: stream }).on("line", (l) => opts.output.line(name, l));
    }
    this.exited = new Promise((resolve) => {
      this.child.once("error", (err) => {
        opts.output.line(name, `could not start ${opts.command}: ${err.message}`);
        this.done = true;
        resolve({ code: null, signal: null });
      });
      this.child.once("close", (code, signal) => {
        this.done = true;
        if (!this.stopping) opts.onUnexpectedExit({ code, signal });
        resolve({ code, signal });
      });
    });
    process.once("exit", () => this.signal(this.stopSignal));
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return !this.done;
  }

  /** Asks it to shut down, waits up to `graceMs`, then kills it. Idempotent; true when it exited 0. */
  async stop(graceMs: number): Promise<boolean> {
    this.stopping ??= (async () => {
      this.signal(this.stopSignal);
      const timer = setTimeout(() => this.signal("SIGKILL"), graceMs);
      const exit = await this.exited;
      clearTimeout(timer);
      return exit;
    })();
    const exit = await this.stopping;
    return exit.code === 0;
  }

  /** The shutdown signal to the server itself (it stops its own workers); SIGKILL to its whole group. */
  private signal(signal: NodeJS.Signals): void {
    if (this.done || this.child.pid === undefined) return;
    try {
      if (signal === "SIGKILL") process.kill(-this.child.pid, signal);
      else this.child.kill(signal);
    } catch {
      // already gone
    }
  }
}
