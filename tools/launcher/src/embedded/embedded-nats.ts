import { accessSync, constants, statSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { delimiter, join } from "node:path";
import type { PrefixedOutput } from "../prefixed-output.js";
import { type EmbeddedExit, EmbeddedProcess } from "./embedded-process.js";
import { NatsServerMissingError } from "./errors.js";
import { tcpAnswers } from "./local-services.js";

/** Where packages put nats-server besides PATH (Debian's is /usr/sbin, not on an ordinary user's PATH). */
export const NATS_SERVER_DIRS = ["/usr/sbin", "/usr/local/bin", "/usr/local/sbin", "/opt/homebrew/bin"];
const READY_TIMEOUT_MS = 30_000;

export type EmbeddedNats = { process: EmbeddedProcess; url: string; storeDir: string };

/**
 * The nats-server to run: NATS_SERVER_BIN when set (it must be there), else the first `nats-server`
 * on PATH or in `dirs`. Throws NatsServerMissingError with the ways to get one.
 */
export function findNatsServer(opts: {
  bin: string | undefined;
  path: string | undefined;
  dirs?: readonly string[];
  url: string;
}): string {
  if (opts.bin) {
    if (isExecutable(opts.bin)) return opts.bin;
    throw new NatsServerMissingError(
      `NATS_SERVER_BIN=${opts.bin} is not an executable file`,
      natsServerHelp(opts.url),
    );
  }
  const dirs = [...(opts.path ?? "").split(delimiter).filter((d) => d.length > 0), ...(opts.dirs ?? [])];
  for (const dir of dirs) {
    const candidate = join(dir, "nats-server");
    if (isExecutable(candidate)) return candidate;
  }
  throw new NatsServerMissingError("no nats-server binary on PATH", natsServerHelp(opts.url));
}

/** What the launcher prints when it would start NATS but has no nats-server. */
export function natsServerHelp(url: string): string {
  return [
    "",
    `Nothing answers at NATS_URL (${url}) and there is no nats-server binary to start one.`,
    "Get a nats-server (one static binary), then run `npm start` again:",
    "  Debian/Ubuntu:  sudo apt install nats-server",
    "  macOS:          brew install nats-server",
    "  container:      docker run -p 4222:4222 nats -js",
    "                  (that one is the NATS itself: the launcher then finds it answering and uses it)",
    "  or a release binary from the NATS project, named by NATS_SERVER_BIN=/path/to/nats-server;",
    "  or point NATS_URL at a NATS server with JetStream that already runs.",
    "",
  ].join("\n");
}

/** nats-server with JetStream on 127.0.0.1:`port`, its store in `<dir>/nats`, kept across runs. */
export async function startEmbeddedNats(opts: {
  bin: string;
  dir: string;
  port: number;
  output: PrefixedOutput;
  onUnexpectedExit: (exit: EmbeddedExit) => void;
}): Promise<EmbeddedNats> {
  const storeDir = join(opts.dir, "nats");
  await mkdir(storeDir, { recursive: true, mode: 0o700 });
  const server = new EmbeddedProcess("nats", {
    command: opts.bin,
    args: [
      "--addr",
      "127.0.0.1",
      "--port",
      String(opts.port),
      "--jetstream",
      "--store_dir",
      storeDir,
      "--pid",
      natsPidFile(opts.dir),
    ],
    env: {},
    output: opts.output,
    // SIGINT: shut down and exit 0 (on SIGTERM nats-server shuts down just the same but exits 1).
    stopSignal: "SIGINT",
    onUnexpectedExit: opts.onUnexpectedExit,
  });
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (!(await tcpAnswers("127.0.0.1", opts.port, 500))) {
    if (!server.running || Date.now() > deadline) {
      await server.stop(5_000);
      throw new Error(`the embedded nats-server did not start on 127.0.0.1:${opts.port} (its log is above)`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { process: server, url: `nats://127.0.0.1:${opts.port}`, storeDir };
}

/** Where the embedded nats-server writes its pid (for a launcher that finds it left running). */
export function natsPidFile(dir: string): string {
  return join(dir, "nats", "nats-server.pid");
}

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}
