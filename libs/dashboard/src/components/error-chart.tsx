import { errorBars, humanize } from "../format.js";

/** error_summary as a horizontal bar chart (plain SVG: a handful of bars needs no chart library). */
export function ErrorChart(props: { summary: Record<string, number> }) {
  const bars = errorBars(props.summary);
  if (bars.length === 0) return <p class="muted">No errors.</p>;
  const max = Math.max(...bars.map((b) => b.count));
  const row = 26;
  const label = 190;
  const width = 560;
  return (
    <svg
      class="chart"
      role="img"
      aria-label="errors by code"
      viewBox={`0 0 ${width} ${bars.length * row + 4}`}
      width="100%"
    >
      {bars.map((b, i) => {
        const w = Math.max(2, ((width - label - 60) * b.count) / max);
        return (
          <g key={b.code} transform={`translate(0 ${i * row + 2})`} data-code={b.code}>
            <text x={label - 8} y={16} text-anchor="end" class="chart-label">
              {humanize(b.code)}
            </text>
            <rect x={label} y={3} width={w} height={row - 8} class="bar" rx={2} />
            <text x={label + w + 6} y={16} class="chart-value">
              {b.count.toLocaleString("en-US")}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
