import { mkdirSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FaultProfile } from "./profile.js";

export const resultsDir = fileURLToPath(new URL("../results/", import.meta.url));

export type ScenarioResult = {
  scenario: string;
  title: string;
  profile: FaultProfile["name"];
  devices: number;
  /** What was injected, e.g. "6 × kill -9 prober". */
  faults: string;
  faultCount: number;
  lost: number;
  duplicated: number;
  /** Extra result copies on the wire that the database absorbed. */
  redelivered: number;
  seconds: number;
  passed: boolean;
  at: string;
};

/**
 * Writes one scenario's line to tests/faults/results/<profile>/<scenario>.json (the README table
 * is printed from these by `node tests/faults/report.mjs`) and prints it.
 */
export function recordResult(r: Omit<ScenarioResult, "at">): void {
  const dir = `${resultsDir}${r.profile}/`;
  mkdirSync(dir, { recursive: true });
  const full: ScenarioResult = { ...r, at: new Date().toISOString() };
  writeFileSync(`${dir}${r.scenario}.json`, `${JSON.stringify(full, null, 2)}\n`);
  process.stdout.write(
    `[faults] ${r.scenario} | devices ${r.devices} | ${r.faults} | lost ${r.lost} | duplicated ${r.duplicated} | redelivered ${r.redelivered} | ${r.seconds}s | ${r.passed ? "pass" : "FAIL"}\n`,
  );
}
