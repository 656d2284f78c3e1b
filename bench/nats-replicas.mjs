// `bench:pipeline -- --compare-replicas [--rounds 3] [--nats-cluster 3] …`: the same benchmark with
// the streams at R1 on one nats-server, at R1 on a three-node cluster and at R3 on that cluster
// (every server started by the run, so no other session's traffic on the shared 4222 counts), run in turn (interleaved, so the machine's load hits every variant alike), each
// run a fresh `node bench/pipeline.mjs` process with its own database, prefix and cluster. Prints
// every run as usual, then the medians side by side.
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const script = fileURLToPath(new URL("./pipeline.mjs", import.meta.url));
/** Options of the comparison itself, not passed to each run. */
const own = new Map([
  ["--compare-replicas", 0],
  ["--rounds", 1],
  ["--nats-cluster", 1],
  ["--nats-replicas", 1],
  ["--result-file", 1],
  ["--own-nats", 0],
]);

function passThrough(argv) {
  const out = [];
  for (let i = 0; i < argv.length; i++) {
    const [flag] = argv[i].split("=");
    if (!own.has(flag)) out.push(argv[i]);
    else if (!argv[i].includes("=")) i += own.get(flag);
  }
  return out;
}

function clusterSizeOf(argv) {
  const i = argv.findIndex((a) => a === "--nats-cluster" || a.startsWith("--nats-cluster="));
  if (i < 0) return 3;
  return Number(argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1]);
}

function run(args, resultFile) {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [script, ...args, "--result-file", resultFile], {
      stdio: "inherit",
    });
    child.once("close", (code) => {
      let figures;
      try {
        figures = JSON.parse(readFileSync(resultFile, "utf8"));
      } catch {}
      resolve({ code, figures });
    });
  });
}

const median = (xs) => {
  const s = xs.filter((x) => typeof x === "number").sort((a, b) => a - b);
  return s.length ? s[Math.floor((s.length - 1) / 2)] : Number.NaN;
};
const fmt = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString("en-US") : "n/a");
const cpu = (n) => (Number.isFinite(n) ? n.toFixed(2) : "n/a");

export async function compareReplicas(argv, rounds) {
  const size = clusterSizeOf(argv);
  const base = passThrough(argv);
  const variants = [
    { label: "R1, one nats-server", args: ["--own-nats"] },
    { label: `R1, ${size}-node cluster`, args: ["--nats-cluster", String(size), "--nats-replicas", "1"] },
    { label: `R3, ${size}-node cluster`, args: ["--nats-cluster", String(size), "--nats-replicas", "3"] },
  ].map((v) => ({ ...v, runs: [] }));
  const dir = mkdtempSync(join(tmpdir(), "bench-replicas-"));
  const loads = [];
  let failed = 0;
  try {
    for (let round = 1; round <= rounds; round++) {
      for (const [i, v] of variants.entries()) {
        loads.push(loadavg()[0]);
        console.log(
          `\n=== round ${round}/${rounds}: ${v.label} (load average ${loadavg()[0].toFixed(1)}) ===`,
        );
        const { code, figures } = await run([...base, ...v.args], join(dir, `r${round}-${i}.json`));
        if (code !== 0 || !figures?.exact) failed++;
        v.runs.push(figures);
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const stage = (r, name) => r?.stages?.[Object.keys(r.stages).find((k) => k.startsWith(name))];
  console.log(
    `\nR1 vs R3, medians of ${rounds} (individual runs in brackets), load average ${Math.min(...loads).toFixed(1)}–${Math.max(...loads).toFixed(1)} (1 min, at each run's start):\n`,
  );
  console.log(
    "| streams | devices/s, first job → completed | fan-out /s | probe /s | fold /s | nats-server CPU-s | exact |",
  );
  console.log("|---|---|---|---|---|---|---|");
  for (const v of variants) {
    const rates = v.runs.map((r) => r?.devicesPerSecond);
    const exact = v.runs.filter((r) => r?.exact).length;
    console.log(
      `| ${v.label} | ${fmt(median(rates))} (${rates.map(fmt).join(" / ")}) | ${fmt(median(v.runs.map((r) => stage(r, "fan-out"))))} | ${fmt(median(v.runs.map((r) => stage(r, "probe"))))} | ${fmt(median(v.runs.map((r) => stage(r, "fold"))))} | ${cpu(median(v.runs.map((r) => r?.natsCpuSeconds)))} | ${exact}/${v.runs.length} |`,
    );
  }
  process.exit(failed ? 1 : 0);
}
