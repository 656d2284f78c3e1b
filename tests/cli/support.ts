import { runScript } from "@headless-ops/testkit";

export const CLI = "tools/cli/bin/headless-ops.js";

export type CliRun = { code: number | null; stdout: string; stderr: string };

/** Runs `headless-ops …args` as a process, configured by environment only (no config file). */
export function runCli(
  api: { url: string; token: string },
  args: string[],
  timeoutMs = 60_000,
): Promise<CliRun> {
  return runScript({
    script: CLI,
    args,
    env: {
      HEADLESS_OPS_URL: api.url,
      HEADLESS_OPS_TOKEN: api.token,
      HEADLESS_OPS_CONFIG: "/nonexistent/headless-ops.json",
    },
    timeoutMs,
  });
}
