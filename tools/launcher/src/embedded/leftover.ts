import { execFile } from "node:child_process";
import { readFile } from "node:fs/promises";
import { promisify } from "node:util";

const execFileAsync = promisify(execFile);

/**
 * An embedded server an earlier launcher left running (that launcher was killed with SIGKILL, so it
 * could not stop it): found by its pid file, and only if that pid still runs a command naming `dir`,
 * so a stale pid file never gets an unrelated process signalled. Without this the next start would
 * find the default port answering, take it for an external server and fail on its password.
 */
export async function leftoverPid(pidFile: string, dir: string): Promise<number | undefined> {
  let pid: number;
  try {
    pid = Number.parseInt((await readFile(pidFile, "utf8")).split("\n")[0] ?? "", 10);
  } catch {
    return undefined;
  }
  if (!Number.isInteger(pid) || pid <= 1) return undefined;
  try {
    const { stdout } = await execFileAsync("ps", ["-o", "args=", "-p", String(pid)]);
    return stdout.includes(dir) ? pid : undefined;
  } catch {
    return undefined; // not running
  }
}

/** Asks it to shut down (`signal`) and waits until it is gone; SIGKILL after `graceMs`. */
export async function stopLeftover(pid: number, signal: NodeJS.Signals, graceMs: number): Promise<void> {
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  try {
    process.kill(pid, signal);
  } catch {
    return;
  }
  const deadline = Date.now() + graceMs;
  while (alive()) {
    if (Date.now() > deadline) {
      process.kill(pid, "SIGKILL");
      await new Promise((r) => setTimeout(r, 200));
      return;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}
