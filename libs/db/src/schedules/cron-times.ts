import { Cron } from "croner";

/** When a schedule may fire: its cron in its timezone, within `starts_at`/`ends_at`. */
export type CronSpec = {
  cron: string;
  timezone: string;
  startsAt?: Date | null;
  endsAt?: Date | null;
};

/** Fire times enumerated at most per catch-up: a schedule down for longer fires per its missed policy. */
const MAX_ENUMERATED = 10_000;

/**
 * Why a 5-field cron or an IANA timezone is refused, or undefined when both are valid. croner
 * parses the pattern (5-part mode: no seconds, no years); Intl judges the timezone.
 */
export function cronProblem(cron: string, timezone: string): { path: string; message: string } | undefined {
  try {
    new Intl.DateTimeFormat("en-US", { timeZone: timezone });
  } catch {
    return { path: "timezone", message: `unknown IANA timezone "${timezone}"` };
  }
  if (cron.trim().split(/\s+/).length !== 5) {
    return { path: "cron", message: "must have 5 fields: minute hour day-of-month month day-of-week" };
  }
  try {
    const job = new Cron(cron, { timezone, mode: "5-part", paused: true });
    if (job.nextRun(new Date()) === null && job.nextRun(new Date(0)) === null) {
      return { path: "cron", message: "never fires" };
    }
  } catch (err) {
    return { path: "cron", message: (err as Error).message.replace(/^CronPattern: /, "") };
  }
  return undefined;
}

/**
 * A fixed-time job (croner's default for patterns without steps in minute/hour): a time in a
 * spring-forward gap runs once at the first valid time after it, a time repeated on fall-back runs once.
 */
function jobOf(spec: CronSpec): Cron {
  return new Cron(spec.cron, {
    timezone: spec.timezone,
    mode: "5-part",
    paused: true,
    ...(spec.startsAt ? { startAt: spec.startsAt } : {}),
    ...(spec.endsAt ? { stopAt: spec.endsAt } : {}),
  });
}

/** The first fire time strictly after `after`, or null when the schedule has ended. */
export function nextFireAfter(spec: CronSpec, after: Date): Date | null {
  return jobOf(spec).nextRun(after);
}

/** The next `count` fire times strictly after `after`. */
export function nextFireTimes(spec: CronSpec, after: Date, count: number): Date[] {
  return jobOf(spec).nextRuns(count, after);
}

/**
 * Fire times in `[from, until]` (from inclusive): the firings due when a scheduler looks at `until`.
 * Capped at MAX_ENUMERATED; only the last one matters to the missed-run policy.
 */
export function dueFireTimes(spec: CronSpec, from: Date, until: Date): Date[] {
  const job = jobOf(spec);
  const out: Date[] = [];
  let t = job.nextRun(new Date(from.getTime() - 1));
  while (t && t.getTime() <= until.getTime() && out.length < MAX_ENUMERATED) {
    out.push(t);
    t = job.nextRun(t);
  }
  return out;
}
