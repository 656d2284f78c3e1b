import { type ComplianceCounts, humanize, VERDICTS } from "../format.js";

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
