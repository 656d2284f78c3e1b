import type { components } from "@headless-ops/client";

type Baseline = components["schemas"]["Baseline"];

/** Pure formatting for the tables and the operation page (unit-tested in format.test.ts). */

export const TERMINAL_STATUSES = ["completed", "completed_with_errors", "failed", "cancelled"] as const;

export function isTerminal(status: string): boolean {
  return (TERMINAL_STATUSES as readonly string[]).includes(status);
}

/** `1,234.5/s`, or an em dash when there is no rate yet. */
export function formatRate(perSecond: number | null | undefined): string {
  if (perSecond === null || perSecond === undefined || !Number.isFinite(perSecond)) return "—";
  const digits = perSecond >= 100 ? 0 : 1;
  return `${perSecond.toLocaleString("en-US", { maximumFractionDigits: digits })}/s`;
}

/** Time left until `estimatedCompletion` as `1 h 5 min`, `3 min 20 s`, `12 s`; a dash when unknown. */
export function formatEta(
  estimatedCompletion: string | null | undefined,
  now: number,
  status: string,
): string {
  if (isTerminal(status)) return "done";
  if (!estimatedCompletion) return "—";
  const left = Math.max(0, Math.round((Date.parse(estimatedCompletion) - now) / 1000));
  if (Number.isNaN(left)) return "—";
  if (left >= 3600) return `${Math.floor(left / 3600)} h ${Math.floor((left % 3600) / 60)} min`;
  if (left >= 60) return `${Math.floor(left / 60)} min ${left % 60} s`;
  return `${left} s`;
}

/** `2026-12-02 05:40:12` in the browser's zone, or a dash. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return "—";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "—";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}`;
}

/** `bulk_serial_sync` → `bulk serial sync`. */
export function humanize(code: string): string {
  return code.replaceAll("_", " ");
}

/** error_summary entries, largest first, without zero counts. */
export function errorBars(summary: Record<string, number>): { code: string; count: number }[] {
  return Object.entries(summary)
    .filter(([, count]) => count > 0)
    .map(([code, count]) => ({ code, count }))
    .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code));
}

export type ComplianceCounts = { compliant: number; non_compliant: number; unknown: number };

export const VERDICTS = ["compliant", "non_compliant", "unknown"] as const;

/**
 * `operation_details.compliance_summary` when the API has it (compliance_report operations):
 * a verdict count each; nothing at all when it is absent or null.
 */
export function complianceCountsOf(details: object): ComplianceCounts | undefined {
  const summary = (details as { compliance_summary?: unknown }).compliance_summary;
  if (typeof summary !== "object" || summary === null) return undefined;
  const s = summary as Record<string, unknown>;
  if (!VERDICTS.every((v) => typeof s[v] === "number")) return undefined;
  return s as unknown as ComplianceCounts;
}

/** What a baseline demands, in words: `>= 17.12.3`, `one of 4.30.2F, 4.31.1F`, `any`. */
export function firmwareRule(b: Pick<Baseline, "allowed_firmware" | "min_firmware">): string {
  if (b.allowed_firmware?.length) return `one of ${b.allowed_firmware.join(", ")}`;
  if (b.min_firmware) return `>= ${b.min_firmware}`;
  return "any";
}
