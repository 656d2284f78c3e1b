import { type Fleet, inventoryCsv, startFleet } from "@headless-ops/device-sim";

/** The demo organizations; the fleet spreads its devices over them. */
export const demoOrganizations = [
  { id: 101, name: "Acme Networks" },
  { id: 102, name: "Globex Telecom" },
  { id: 103, name: "Initech Campus" },
] as const;

export type DemoFleet = { fleet: Fleet; csv: string };

/**
 * The demo fleet: 300 devices served over real SNMP on loopback by the simulator (v2c and v3, the
 * usual vendors, stacks, and `faultRate` of them — by default about one in ten — misbehaving: silent,
 * flapping, wrong credentials, no serial, malformed answers). The same seed gives the same fleet every
 * run, so a database kept from a previous demo still matches it.
 */
export async function startDemoFleet(faultRate = 0.1): Promise<DemoFleet> {
  const fleet = await startFleet({
    devices: 300,
    seed: 7,
    organizations: demoOrganizations.map((o) => o.id),
    v3Share: 0.3,
    faultRate,
    stackShare: 0.2,
    latencyMs: [1, 25],
    port: 0,
  });
  return { fleet, csv: inventoryCsv(fleet.devices) };
}
