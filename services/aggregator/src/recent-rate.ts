/**
 * Devices folded per second per operation over a sliding window: the ETA follows the recent
 * pace rather than the average since start. Unknown (undefined) for the first second of an
 * operation on this replica; the fold then uses the average since start.
 */
export class RecentRate {
  private readonly samples = new Map<string, { first: number; points: { at: number; n: number }[] }>();

  constructor(private readonly windowMs = 10_000) {}

  record(operationId: string, moved: number, now = Date.now()): void {
    let s = this.samples.get(operationId);
    if (!s) {
      s = { first: now, points: [] };
      this.samples.set(operationId, s);
    }
    s.points.push({ at: now, n: moved });
    this.trim(s, now);
  }

  ratesFor(operationIds: Iterable<string>, now = Date.now()): Map<string, number> {
    const rates = new Map<string, number>();
    for (const id of operationIds) {
      const s = this.samples.get(id);
      if (!s) continue;
      this.trim(s, now);
      const span = Math.min(this.windowMs, now - s.first);
      if (span < 1_000 || s.points.length === 0) continue;
      rates.set(id, (s.points.reduce((sum, p) => sum + p.n, 0) * 1000) / span);
    }
    return rates;
  }

  forget(operationId: string): void {
    this.samples.delete(operationId);
  }

  private trim(s: { points: { at: number }[] }, now: number): void {
    while (s.points.length > 0 && (s.points[0]?.at ?? now) < now - this.windowMs) s.points.shift();
  }
}
