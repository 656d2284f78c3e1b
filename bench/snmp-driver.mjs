// SNMP driver benchmark, no pipeline: `node bench/snmp-driver.mjs --devices 10000 --concurrency 256`.
// Starts the fleet simulator as its own process (`npm run sim`), then probes every device once with the
// prober's SNMP driver code (bulk_serial_sync + update_firmware_info: serial, model, vendor, firmware) at
// bounded concurrency, and prints probes/s and whether every answer equals the simulator's truth.
// Run `npm run build` first.
import { randomInt } from "node:crypto";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { buildFleet, credentialsOf, expectedProbe } from "@headless-ops/device-sim";
import { repoRoot, startProcess } from "@headless-ops/testkit";

const { probeSnmp } = await import(join(repoRoot, "services/prober/dist/drivers/snmp/snmp-probe.js"));

const { values: args } = parseArgs({
  options: {
    devices: { type: "string", default: "10000" },
    concurrency: { type: "string", default: "256" },
    "v3-share": { type: "string", default: "0" },
    "fault-rate": { type: "string", default: "0" },
    seed: { type: "string", default: "7" },
    "timeout-ms": { type: "string", default: "1000" },
  },
});
const options = {
  devices: Number(args.devices),
  seed: Number(args.seed),
  addressBase: `127.${randomInt(20, 250)}.0.0`,
  port: 1161,
  v3Share: Number(args["v3-share"]),
  faultRate: Number(args["fault-rate"]),
};

const sim = startProcess({
  name: "sim",
  script: "libs/device-sim/dist/cli.js",
  args: [
    ...["--devices", String(options.devices), "--seed", String(options.seed), "--port", "1161"],
    ...["--address-base", options.addressBase, "--v3-share", String(options.v3Share)],
    ...["--fault-rate", String(options.faultRate), "--latency", "0"],
  ],
  env: process.env,
});
// The simulator's first stdout line is its ready report (JSON).
const ready = await sim.waitForLog((r) => typeof r.startupMs === "number", 120_000);
console.log(`simulator: ${ready.devices} devices up in ${ready.startupMs} ms, ${ready.rssMb} MB RSS`);

const fleet = buildFleet(options); // the same fleet, rebuilt from the seed: the oracle
const needs = { serial: true, firmware: true, connectivity: false };
const codes = {};
let wrong = 0;
let next = 0;
const t0 = performance.now();
async function worker() {
  while (next < fleet.length) {
    const device = fleet[next++];
    const outcome = await probeSnmp({
      target: { address: device.address, port: device.port },
      credentials: credentialsOf(device.inventoryAccess),
      needs,
      timing: { timeoutMs: Number(args["timeout-ms"]), retries: 0 },
      signal: AbortSignal.timeout(5_000),
    });
    const key = outcome.ok ? "ok" : outcome.code;
    codes[key] = (codes[key] ?? 0) + 1;
    const expected = expectedProbe(device);
    if (expected.ok === true) {
      const o = outcome.ok ? outcome.observed : {};
      if (o.serial !== expected.serial || o.model !== expected.model || o.firmware !== expected.firmware)
        wrong++;
    } else if (expected.ok === false && (outcome.ok || outcome.code !== expected.code)) wrong++;
  }
}
await Promise.all(Array.from({ length: Number(args.concurrency) }, worker));
const seconds = (performance.now() - t0) / 1000;
console.log(
  JSON.stringify({
    devices: fleet.length,
    v3Share: options.v3Share,
    concurrency: Number(args.concurrency),
    seconds: Math.round(seconds * 100) / 100,
    probesPerSecond: Math.round(fleet.length / seconds),
    outcomes: codes,
    mismatches: wrong,
    benchRssMb: Math.round(process.memoryUsage().rss / 1e6),
  }),
);
await sim.signal("SIGTERM", 30_000);
process.exit(wrong === 0 ? 0 : 1);
