import { humanize } from "../format.js";

export type ComplianceCounts = { compliant: number; non_compliant: number; unknown: number };

const VERDICTS = ["compliant", "non_compliant", "unknown"] as const;

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

export function ComplianceSummary(props: { counts: ComplianceCounts }) {
  return (
    <ul class="verdicts" aria-label="compliance verdicts">
      {VERDICTS.map((v) => (
        <li key={v} class={`verdict verdict-${v}`} data-verdict={v}>
          <span class="verdict-count">{props.counts[v].toLocaleString("en-US")}</span>
          <span class="verdict-label">{humanize(v)}</span>
        </li>
      ))}
    </ul>
  );
}
