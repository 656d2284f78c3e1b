#!/usr/bin/env node
// Prints the Markdown table of the latest fault run: `node tests/faults/report.mjs [ci|soak]`.
// Reads tests/faults/results/<profile>/*.json (one per scenario, written by each test) and writes
// the merged list to tests/faults/results/<profile>/latest.json.
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

const profile = process.argv[2] ?? "ci";
const dir = fileURLToPath(new URL(`./results/${profile}/`, import.meta.url));
const rows = readdirSync(dir)
  .filter((f) => f.endsWith(".json") && f !== "latest.json")
  .map((f) => JSON.parse(readFileSync(`${dir}${f}`, "utf8")))
  .sort((a, b) => a.scenario.localeCompare(b.scenario, "en", { numeric: true }));
writeFileSync(`${dir}latest.json`, `${JSON.stringify(rows, null, 2)}\n`);
const n = (x) => x.toLocaleString("en-US");
const out = [];
out.push(
  "| # | scenario | devices | faults injected | lost | duplicated | redelivered (absorbed) | time | result |",
);
out.push("|---|---|---:|---|---:|---:|---:|---:|---|");
for (const r of rows) {
  const [num] = r.scenario.split("-");
  out.push(
    `| ${num} | ${r.title} | ${n(r.devices)} | ${r.faults} | ${r.lost} | ${r.duplicated} | ${r.redelivered} | ${r.seconds} s | ${r.passed ? "pass" : "**FAIL**"} |`,
  );
}
const first = rows.map((r) => r.at).sort()[0];
out.push(`\nProfile \`${profile}\`, run ${first ?? "never"}.`);
process.stdout.write(`${out.join("\n")}\n`);
