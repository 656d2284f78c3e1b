export { type CronSpec, cronProblem, dueFireTimes, nextFireAfter, nextFireTimes } from "./cron-times.js";
export { type FiringOutcome, fireDueSchedules, MISSED_AFTER_MS, msUntilNextFiring } from "./fire-due.js";
