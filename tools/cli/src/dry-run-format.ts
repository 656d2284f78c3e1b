import type { components } from "@headless-ops/client";
import { table } from "./table-format.js";

export type DryRun = components["schemas"]["DryRun"];

const REASONS: Record<string, string> = {
  no_address: "no management address",
  no_credentials: "no SNMP credentials",
  address_refused: "address refused by the guard",
};

/** `12 min`, `1 h 5 min`, or `< 1 min` for nothing to do. */
export function formatMinutes(minutes: number): string {
  if (minutes <= 0) return "< 1 min";
  if (minutes < 60) return `${minutes} min`;
  const rest = minutes % 60;
  return `${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ""}`;
}

/** A count table, largest first (ties by name), or nothing when there is nothing to count. */
function countTable(title: string, counts: Record<string, number>): string | undefined {
  const rows = Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort(([a, x], [b, y]) => y - x || a.localeCompare(b, "en", { numeric: true }));
  if (rows.length === 0) return undefined;
  return table([title.toUpperCase(), "DEVICES"], rows, { compact: true });
}

/**
 * `ops create --dry-run` for a person: what would run, how long it would take, where the devices
 * are, and which of them cannot be probed and why (with the API's sample). `--json` prints the
 * API's answer instead.
 */
export function dryRunSummary(view: DryRun): string {
  const n = view.target_device_count;
  const head = [
    `dry run (nothing scheduled): ${view.operation_type} over ${n.toLocaleString("en-US")} device${n === 1 ? "" : "s"}`,
    `  would run at:        ${view.scheduled_for ? view.scheduled_for.replace("T", " ") : "no firing left"}`,
    `  estimated duration:  ${formatMinutes(view.estimated_duration_minutes)}`,
    `  cannot be probed:    ${view.unprobeable.count.toLocaleString("en-US")}`,
  ].join("\n");
  if (n === 0) return `${head}\nno device matches these organizations and filters`;
  const parts = [
    head,
    countTable("organization", view.counts.by_organization),
    countTable("type", view.counts.by_type),
    countTable("status", view.counts.by_status),
    countTable("driver", view.counts.by_driver),
  ];
  if (view.unprobeable.count > 0) {
    const reasons = Object.fromEntries(
      Object.entries(view.unprobeable.by_reason).map(([r, c]) => [REASONS[r] ?? r, c]),
    );
    parts.push("devices that cannot be probed:", countTable("reason", reasons));
    const sample = view.unprobeable.sample;
    parts.push(
      `sample (${sample.length} of ${view.unprobeable.count}):`,
      table(
        ["DEVICE", "HOSTNAME", "ORG", "REASON"],
        sample.map((d) => [d.id, d.hostname, d.organization_id, d.reason]),
        { compact: true },
      ),
    );
  }
  return parts.filter((p): p is string => p !== undefined).join("\n");
}
