import { execFile, spawnSync } from "node:child_process";
import { chmodSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { runMigrations } from "@headless-ops/db";
import { freePort } from "./services.js";

const run = promisify(execFile);
const BIN = "/usr/lib/postgresql/15/bin";

const owned = new Set<string>();
// A crashed test must not leave a postmaster behind (synchronous: this runs on process exit).
process.once("exit", () => {
  for (const dataDir of owned) {
    spawnSync(
      "runuser",
      ["-u", "postgres", "--", `${BIN}/pg_ctl`, "-D", dataDir, "-m", "immediate", "stop"],
      {
        stdio: "ignore",
      },
    );
  }
});

/** Runs a command as the `postgres` OS user when we are root (initdb refuses root). */
async function asPostgres(cmd: string, args: string[]): Promise<string> {
  const isRoot = process.getuid?.() === 0;
  const [file, argv] = isRoot ? ["runuser", ["-u", "postgres", "--", cmd, ...args]] : [cmd, args];
  const { stdout, stderr } = await run(file, argv, { timeout: 60_000 });
  return stdout + stderr;
}

/**
 * A Postgres cluster owned by one test: initdb into a temp dir, its own port, its socket in the
 * temp dir, trust auth, fsync off (the test crashes the server, not the machine, so the OS page cache
 * keeps what was written). synchronous_commit stays on: with it off, an immediate stop loses commits
 * the services were told had succeeded, and the test would report its own setting as lost devices. Never the shared server on 5432. `restart()` keeps the data.
 */
export class TestPostgresCluster {
  restarts = 0;

  private constructor(
    readonly port: number,
    readonly dir: string,
    /** Server settings in place of the test defaults (fsync off, small buffers): a benchmark's durable server. */
    private readonly settings?: Readonly<Record<string, string>>,
  ) {}

  get dataDir(): string {
    return join(this.dir, "data");
  }

  /** initdb + start + create and migrate `database`; `settings` replace the test defaults. */
  static async start(
    database = "headless_ops",
    opts: { settings?: Readonly<Record<string, string>> } = {},
  ): Promise<TestPostgresCluster> {
    const dir = mkdtempSync(join(tmpdir(), "ho-pg-"));
    chmodSync(dir, 0o777);
    if (process.getuid?.() === 0) await run("chown", ["postgres:postgres", dir]);
    const cluster = new TestPostgresCluster(await freePort(), dir, opts.settings);
    await asPostgres(`${BIN}/initdb`, [
      "-D",
      cluster.dataDir,
      "-U",
      "postgres",
      "--auth=trust",
      "--no-sync",
      "-E",
      "UTF8",
    ]);
    owned.add(cluster.dataDir);
    await cluster.up();
    await runMigrations(cluster.url(database));
    return cluster;
  }

  url(database = "headless_ops"): string {
    return `postgres://postgres@127.0.0.1:${this.port}/${database}`;
  }

  private async up(): Promise<void> {
    const settings = this.settings
      ? Object.entries(this.settings).map(([k, v]) => `-c ${k}=${v}`)
      : ["-c fsync=off", "-c full_page_writes=off", "-c max_connections=100", "-c shared_buffers=64MB"];
    const options = [`-p ${this.port}`, `-k ${this.dir}`, "-c listen_addresses=127.0.0.1", ...settings].join(
      " ",
    );
    await asPostgres(`${BIN}/pg_ctl`, [
      "-D",
      this.dataDir,
      "-l",
      join(this.dir, "log"),
      "-w",
      "-o",
      options,
      "start",
    ]);
  }

  /**
   * Stops the server, stays down `downMs`, starts it again. `mode` "fast" disconnects clients
   * cleanly (a rolling restart); "immediate" is a crash (recovery from WAL on start).
   */
  async restart(opts: { downMs?: number; mode?: "fast" | "immediate" } = {}): Promise<void> {
    await asPostgres(`${BIN}/pg_ctl`, ["-D", this.dataDir, "-m", opts.mode ?? "fast", "-w", "stop"]);
    await new Promise((r) => setTimeout(r, opts.downMs ?? 0));
    await this.up();
    this.restarts += 1;
  }

  async stop(): Promise<void> {
    await asPostgres(`${BIN}/pg_ctl`, ["-D", this.dataDir, "-m", "immediate", "-w", "stop"]).catch(
      () => undefined,
    );
    owned.delete(this.dataDir);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
