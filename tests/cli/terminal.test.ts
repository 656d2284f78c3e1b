/**
 * `headless-ops ops watch` in a real terminal (tmux, 160×20): while the operation runs, the screen
 * holds one progress-bar line whose numbers change (redrawn in place), not a line per update; at the
 * end the bar stays once, the summary line follows, and the exit code is 0.
 */
import { execFileSync } from "node:child_process";
import { setTimeout as sleep } from "node:timers/promises";
import { repoRoot } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "../e2e/support/api-client.js";
import { seedDevices, seedOrganizations } from "../e2e/support/fleet.js";
import { type Stack, startStack } from "../e2e/support/stack.js";
import { CLI } from "./support.js";

const ORG = 811;
const SOCKET = `cli-test-${process.pid}`;
const SESSION = "watch";
let stack: Stack;
let api: ApiClient;

const tmux = (...args: string[]) =>
  execFileSync("tmux", ["-L", SOCKET, ...args], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
const screen = () => tmux("capture-pane", "-p", "-t", SESSION);
const barLines = (text: string) => text.split("\n").filter((l) => l.includes("devices/s"));

beforeAll(async () => {
  stack = await startStack({ probers: 1 });
  await seedOrganizations(stack.db.pool, [ORG]);
  // About eight rounds of 256 probes at 1 s each: long enough to see the bar move.
  await seedDevices(stack.db.pool, {
    organization: ORG,
    label: "tty",
    count: 2000,
    sim: { latency_ms: 1000 },
  });
  api = await stack.client([ORG]);
});

afterAll(async () => {
  try {
    tmux("kill-server");
  } catch {
    // no server left to kill
  }
  await stack?.stop();
});

describe("ops watch in a terminal", () => {
  it("redraws one progress bar line in place and exits 0", async () => {
    const op = await api.createOperation({ operation_type: "bulk_serial_sync", target_organizations: [ORG] });
    const env = `HEADLESS_OPS_URL=${api.baseUrl} HEADLESS_OPS_TOKEN=${api.token} HEADLESS_OPS_CONFIG=/nonexistent`;
    const command = `env ${env} ${process.execPath} ${CLI} ops watch ${op.id}; echo "EXIT=$?"; sleep 600`;
    tmux("new-session", "-d", "-s", SESSION, "-x", "160", "-y", "20", "-c", repoRoot, command);

    const seen = new Set<string>();
    let final = "";
    for (let i = 0; i < 120; i++) {
      await sleep(500);
      final = screen();
      if (final.includes("EXIT=")) break;
      const bars = barLines(final);
      expect(bars.length, `screen:\n${final}`).toBeLessThanOrEqual(1);
      if (bars[0]) seen.add(bars[0].trim());
    }
    expect(final, "the watch did not end within 60 s").toContain("EXIT=0");
    // The bar showed several different states, each time on the same single line.
    expect(seen.size, [...seen].join("\n")).toBeGreaterThanOrEqual(3);
    expect(barLines(final)).toHaveLength(1);
    expect(barLines(final)[0]).toMatch(/100% \| 2000\/2000 devices \| 0 failed/);
    expect(final).toContain(`operation ${op.id} completed: 2000 succeeded, 0 failed of 2000 devices`);
    expect(final).not.toContain(api.token);
  });
});
