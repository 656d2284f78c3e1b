import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { connect as tcpConnect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./services.js";

const NATS_SERVER = "/usr/sbin/nats-server";

export type TestNatsServerOptions = {
  /** Config text, or a function of the server's temporary directory (for `store_dir` and TLS files). */
  config?: string | ((dir: string) => string);
  /** The server's environment (besides PATH): the passwords a config references as `$VAR`. */
  env?: Record<string, string>;
  /** HTTP monitoring port with a config (default 0: off). */
  monitorPort?: number;
  /** Serve the HTTP monitoring endpoints on a free port (`monitoringPort`). */
  monitoring?: boolean;
  /** Client port (default: a free one). A cluster picks every node's ports before starting any. */
  port?: number;
  /** Store directory, kept across restarts (default: a new temporary one). */
  storeDir?: string;
};

const owned = new Set<ChildProcess>();
process.once("exit", () => {
  for (const child of owned) child.kill("SIGKILL");
});

function portOpen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(true);
    });
    socket.once("error", () => resolve(false));
  });
}

/**
 * A nats-server owned by one test: its own port and a temporary JetStream store that survives
 * `restart()` (streams, consumers and their ack state come back, as on a real server restart).
 * Never the shared server on 4222.
 */
export class TestNatsServer {
  private child: ChildProcess | undefined;
  private exited: Promise<void> = Promise.resolve();
  private lastOutput = "";
  restarts = 0;

  private constructor(
    readonly port: number,
    readonly storeDir: string,
    private readonly options: TestNatsServerOptions,
    /** HTTP monitoring port (/varz, /jsz), when started with `monitoring: true`. */
    readonly monitoringPort?: number,
  ) {}

  /**
   * Without options: an open server (no auth). With `config`: a nats-server config text (e.g.
   * `natsServerConfig` from libs/bus, plus a `tls {}` block), written to a temporary file and started
   * with the server's environment `env` (the `$VAR`s it references); the port flags override it.
   * `monitoring: true` serves the HTTP monitoring endpoints on a free port (`monitoringPort`).
   */
  static async start(options: TestNatsServerOptions = {}): Promise<TestNatsServer> {
    const monitoringPort = options.monitoring ? await freePort() : (options.monitorPort ?? undefined);
    const storeDir = options.storeDir ?? mkdtempSync(join(tmpdir(), "ho-nats-"));
    const server = new TestNatsServer(options.port ?? (await freePort()), storeDir, options, monitoringPort);
    await server.up();
    return server;
  }

  get url(): string {
    return `nats://127.0.0.1:${this.port}`;
  }

  /** The server's output so far (the last 4,000 characters): permission violations, TLS errors. */
  get output(): string {
    return this.lastOutput;
  }

  private args(): string[] {
    const listen = ["-a", "127.0.0.1", "-p", String(this.port)];
    const config = this.options.config;
    const monitor = this.monitoringPort === undefined ? [] : ["-m", String(this.monitoringPort)];
    if (config === undefined) return [...listen, "-js", "-sd", this.storeDir, ...monitor];
    const file = join(this.storeDir, "nats-server.conf");
    writeFileSync(file, typeof config === "string" ? config : config(this.storeDir));
    return ["-c", file, ...listen, "-m", String(this.options.monitorPort ?? this.monitoringPort ?? 0)];
  }

  /** The running server's process id (a benchmark reads its CPU time from /proc). */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  get running(): boolean {
    return this.child !== undefined;
  }

  private async up(): Promise<void> {
    const child = spawn(NATS_SERVER, this.args(), {
      stdio: ["ignore", "ignore", "pipe"],
      env: { PATH: process.env.PATH, ...this.options.env },
    });
    let output = "";
    child.stderr?.on("data", (c: Buffer) => {
      output = (output + c.toString()).slice(-4_000);
      this.lastOutput = output;
    });
    owned.add(child);
    this.child = child;
    this.exited = new Promise((resolve) =>
      child.once("close", () => {
        owned.delete(child);
        resolve();
      }),
    );
    const deadline = Date.now() + 15_000;
    while (!/Server is ready/.test(output) || !(await portOpen(this.port))) {
      if (Date.now() > deadline || child.exitCode !== null) {
        throw new Error(`nats-server on ${this.port} did not start:\n${output}`);
      }
      await new Promise((r) => setTimeout(r, 50));
    }
  }

  /** Stops the server (SIGTERM: clean shutdown, or SIGKILL: crash) and waits for the exit. */
  async down(signal: NodeJS.Signals = "SIGTERM"): Promise<void> {
    if (!this.child) return;
    this.child.kill(signal);
    await this.exited;
    this.child = undefined;
  }

  /** Stops, stays down for `downMs`, starts again on the same port with the same store. */
  async restart(opts: { downMs?: number; signal?: NodeJS.Signals } = {}): Promise<void> {
    await this.down(opts.signal);
    await new Promise((r) => setTimeout(r, opts.downMs ?? 0));
    await this.up();
    this.restarts += 1;
  }

  async stop(): Promise<void> {
    await this.down("SIGTERM");
    rmSync(this.storeDir, { recursive: true, force: true });
  }
}
