/**
 * Throughput over time from successive progress events: each event carries absolute counters, so
 * the rate between two events is the processed delta over the time delta. Events may be dropped or
 * repeated (a reconnect sends a fresh snapshot): a repeat or a counter that did not move in time
 * adds no point, and the series is bounded.
 */
export type Sample = { at: number; processed: number };
export type RatePoint = { at: number; perSecond: number };

export const MAX_SAMPLES = 600;

export function addSample(samples: readonly Sample[], next: Sample): Sample[] {
  const last = samples[samples.length - 1];
  if (last && (next.at <= last.at || next.processed < last.processed)) return [...samples];
  const out = [...samples, next];
  return out.length > MAX_SAMPLES ? out.slice(out.length - MAX_SAMPLES) : out;
}

/** Devices per second between consecutive samples, placed at the later one. */
export function ratesOf(samples: readonly Sample[]): RatePoint[] {
  const points: RatePoint[] = [];
  for (let i = 1; i < samples.length; i += 1) {
    const a = samples[i - 1] as Sample;
    const b = samples[i] as Sample;
    const seconds = (b.at - a.at) / 1000;
    if (seconds > 0) points.push({ at: b.at, perSecond: (b.processed - a.processed) / seconds });
  }
  return points;
}
