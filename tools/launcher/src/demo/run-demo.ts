import type { Logger } from "@headless-ops/runtime";
import { AdminCli } from "./admin-cli.js";
import { demoApiClient } from "./api-client.js";
import { demoInstructions } from "./instructions.js";
import { seedBaseline, seedSchedule } from "./seed-compliance.js";
import { seedDevices } from "./seed-devices.js";
import { type DemoFleet, demoOrganizations } from "./snmp-fleet.js";

/**
 * `--demo`: organizations 101–103, an admin token, the SNMP fleet's devices, a firmware baseline and
 * a nightly compliance schedule for the first organization (each only once, however often the demo
 * starts on the same database); returns what to print.
 */
export async function runDemo(opts: {
  root: string;
  env: Record<string, string | undefined>;
  apiUrl: string;
  log: Logger;
  fleet: DemoFleet;
}): Promise<string> {
  const admin = new AdminCli(opts.root, opts.env);
  for (const org of demoOrganizations) {
    const outcome = await admin.createOrganization(org.id, org.name);
    opts.log.info({ organizationId: org.id, name: org.name, outcome }, "demo organization");
  }
  const organizations = demoOrganizations.map((o) => o.id);
  const token = await admin.createToken({ organizations, role: "admin", name: "demo" });
  const api = demoApiClient(opts.apiUrl, token);
  const seeded = await seedDevices(api, opts.fleet.csv, organizations);
  const devices = opts.fleet.fleet.devices.length;
  opts.log.info({ created: seeded.created, devices }, "demo devices registered");
  const [complianceOrg] = organizations as [number, ...number[]];
  const baseline = await seedBaseline(api, complianceOrg);
  opts.log.info({ baselineId: baseline.id, outcome: baseline.outcome }, "demo firmware baseline");
  const schedule = await seedSchedule(api, [complianceOrg]);
  opts.log.info({ scheduleId: schedule.id, outcome: schedule.outcome }, "demo schedule");
  return demoInstructions({ apiUrl: opts.apiUrl, token, organizations, devices, baseline, schedule });
}
