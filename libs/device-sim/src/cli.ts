#!/usr/bin/env node
import { writeFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { z } from "zod";
import { startFleet } from "./fleet-server.js";
import { inventoryCsv } from "./inventory-csv.js";

/*
 * `npm run sim -- --devices 1000 --seed 7 --out devices.csv`: serves the fleet on loopback until SIGINT or
 * SIGTERM and writes the inventory CSV for POST /api/v1/devices/import. Prints one JSON line when ready.
 */

const range = z
  .string()
  .regex(/^\d+(-\d+)?$/, "expected N or MIN-MAX")
  .transform((v) => {
    const [min, max] = v.split("-").map(Number) as [number, number?];
    return [min, max ?? min] as const;
  });

const Args = z.object({
  devices: z.coerce.number().int().min(1).max(60_000).default(1_000),
  seed: z.coerce.number().int().default(7),
  out: z.string().optional(),
  "address-base": z.ipv4().default("127.16.0.0"),
  port: z.coerce.number().int().min(0).max(65535).default(1161),
  "v3-share": z.coerce.number().min(0).max(1).default(0.2),
  "fault-rate": z.coerce.number().min(0).max(1).default(0.05),
  "stack-share": z.coerce.number().min(0).max(1).default(0.2),
  latency: range.default([0, 5]),
  orgs: z
    .string()
    .regex(/^\d+(,\d+)*$/)
    .transform((v) => v.split(",").map(Number))
    .default([101, 102, 103]),
  "flap-period-ms": z.coerce.number().int().min(100).default(5_000),
});

const usage = `usage: npm run sim -- [--devices N] [--seed N] [--out devices.csv] [--address-base 127.16.0.0]
  [--port 1161 (0 = a port per device)] [--v3-share 0.2] [--fault-rate 0.05] [--stack-share 0.2]
  [--latency MIN-MAX ms] [--orgs 101,102,103] [--flap-period-ms 5000]`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: Object.fromEntries(Object.keys(Args.shape).map((k) => [k, { type: "string" as const }])),
    strict: true,
  });
  const parsed = Args.safeParse(values);
  if (!parsed.success) {
    process.stderr.write(
      `${parsed.error.issues.map((i) => `--${i.path.join(".")}: ${i.message}`).join("\n")}\n${usage}\n`,
    );
    process.exit(2);
  }
  const args = parsed.data;
  const fleet = await startFleet({
    devices: args.devices,
    seed: args.seed,
    addressBase: args["address-base"],
    port: args.port,
    v3Share: args["v3-share"],
    faultRate: args["fault-rate"],
    stackShare: args["stack-share"],
    latencyMs: args.latency,
    organizations: args.orgs,
    flapPeriodMs: args["flap-period-ms"],
  });
  // Signals are handled before anyone is told the fleet is ready: a SIGTERM right after the ready
  // line must stop the fleet cleanly, not kill the process.
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) process.exit(1); // a second signal forces
    stopping = true;
    void fleet.stop().then(() => {
      process.stdout.write(`${JSON.stringify({ msg: "fleet stopped", signal, ...fleet.stats() })}\n`);
      process.exit(0);
    });
  };
  process.on("SIGINT", () => stop("SIGINT"));
  process.on("SIGTERM", () => stop("SIGTERM"));
  if (args.out) await writeFile(args.out, inventoryCsv(fleet.devices));
  const behaviours: Record<string, number> = {};
  for (const d of fleet.devices) behaviours[d.behaviour] = (behaviours[d.behaviour] ?? 0) + 1;
  const rssMb = Math.round(process.memoryUsage().rss / 1e6);
  process.stdout.write(
    `${JSON.stringify({ msg: "fleet ready", devices: fleet.devices.length, startupMs: fleet.startupMs, rssMb, csv: args.out ?? null, behaviours })}\n`,
  );
}

main().catch((err: unknown) => {
  if ((err as NodeJS.ErrnoException).code === "EMFILE") {
    process.stderr.write(
      "device-sim: out of file descriptors (one UDP socket per device): raise `ulimit -n` above --devices\n",
    );
    process.exit(1);
  }
  process.stderr.write(`device-sim failed: ${err instanceof Error ? err.stack : String(err)}\n`);
  process.exit(1);
});
