import type { RatePoint } from "../throughput.js";

/** Devices per second over time as an SVG line (points from the live stream, see throughput.ts). */
export function ThroughputChart(props: { points: RatePoint[] }) {
  const { points } = props;
  if (points.length < 2) return <p class="muted">Waiting for progress…</p>;
  const width = 560;
  const height = 160;
  const pad = { left: 56, right: 10, top: 10, bottom: 24 };
  const t0 = (points[0] as RatePoint).at;
  const t1 = (points[points.length - 1] as RatePoint).at;
  const max = Math.max(1, ...points.map((p) => p.perSecond));
  const x = (at: number) => pad.left + ((width - pad.left - pad.right) * (at - t0)) / Math.max(1, t1 - t0);
  const y = (v: number) => height - pad.bottom - ((height - pad.top - pad.bottom) * v) / max;
  const line = points.map(
    (p, i) => `${i === 0 ? "M" : "L"}${x(p.at).toFixed(1)},${y(p.perSecond).toFixed(1)}`,
  );
  const seconds = Math.round((t1 - t0) / 1000);
  return (
    <svg
      class="chart"
      role="img"
      aria-label="devices per second over time"
      viewBox={`0 0 ${width} ${height}`}
      width="100%"
    >
      <line x1={pad.left} y1={y(0)} x2={width - pad.right} y2={y(0)} class="axis" />
      <line x1={pad.left} y1={pad.top} x2={pad.left} y2={y(0)} class="axis" />
      <text x={pad.left - 6} y={pad.top + 8} text-anchor="end" class="chart-value">
        {Math.round(max).toLocaleString("en-US")}/s
      </text>
      <text x={pad.left - 6} y={y(0)} text-anchor="end" class="chart-value">
        0
      </text>
      <text x={width - pad.right} y={height - 6} text-anchor="end" class="chart-value">
        {seconds} s
      </text>
      <path d={line.join(" ")} class="line" />
    </svg>
  );
}
