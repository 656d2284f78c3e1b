import type { components } from "@headless-ops/client";
import { type ApiClient, dataOf } from "./api-client.js";

type Baseline = components["schemas"]["Baseline"];
type Schedule = components["schemas"]["Schedule"];

const BASELINES = "/api/v1/compliance/baselines/";
const SCHEDULES = "/api/v1/schedules/";
/** Pages read when looking for what an earlier demo seeded; a demo database holds a handful. */
const MAX_PAGES = 20;

/**
 * The demo's firmware baseline: the simulator's Catalyst 9300s run 17.6.5, 17.9.4a or 17.12.3
 * (libs/device-sim catalog), so a minimum of 17.12.3 makes exactly the older two non-compliant.
 */
export const demoBaseline = {
  vendor: "Cisco",
  model_pattern: "C9300-*",
  min_firmware: "17.12.3",
  serial_required: true,
} as const;

/** The demo's nightly schedule: a compliance report at 02:00 in Zurich, every day. */
export const demoSchedule = {
  operation_type: "compliance_report",
  cron: "0 2 * * *",
  timezone: "Europe/Zurich",
} as const;

export type SeededBaseline = Baseline & { outcome: "created" | "exists" };
export type SeededSchedule = Schedule & { outcome: "created" | "exists" };

async function all<T>(load: (page: number) => Promise<{ next: string | null; results: T[] }>): Promise<T[]> {
  const rows: T[] = [];
  for (let page = 1; page <= MAX_PAGES; page++) {
    const data = await load(page);
    rows.push(...data.results);
    if (!data.next) break;
  }
  return rows;
}

/** Creates the demo baseline in `organization` unless one for the same vendor and models is there. */
export async function seedBaseline(api: ApiClient, organization: number): Promise<SeededBaseline> {
  const existing = await all(async (page) =>
    dataOf(`GET ${BASELINES}`, await api.GET(BASELINES, { params: { query: { page, page_size: 200 } } })),
  );
  const found = existing.find(
    (b) =>
      b.organization_id === organization &&
      b.vendor === demoBaseline.vendor &&
      b.model_pattern === demoBaseline.model_pattern,
  );
  if (found) return { ...found, outcome: "exists" };
  const body = { organization_id: organization, ...demoBaseline };
  const created = dataOf(`POST ${BASELINES}`, await api.POST(BASELINES, { body }));
  return { ...created, outcome: "created" };
}

/** Creates the nightly schedule over `organizations` unless the same one (type, cron, zone, targets) is there. */
export async function seedSchedule(
  api: ApiClient,
  organizations: readonly number[],
): Promise<SeededSchedule> {
  const existing = await all(async (page) =>
    dataOf(`GET ${SCHEDULES}`, await api.GET(SCHEDULES, { params: { query: { page, page_size: 200 } } })),
  );
  const targets = [...organizations].sort((a, b) => a - b).join(",");
  const found = existing.find(
    (s) =>
      s.operation_type === demoSchedule.operation_type &&
      s.cron === demoSchedule.cron &&
      s.timezone === demoSchedule.timezone &&
      [...s.target_organizations].sort((a, b) => a - b).join(",") === targets,
  );
  if (found) return { ...found, outcome: "exists" };
  const body = { ...demoSchedule, target_organizations: [...organizations] };
  const created = dataOf(`POST ${SCHEDULES}`, await api.POST(SCHEDULES, { body }));
  return { ...created, outcome: "created" };
}
