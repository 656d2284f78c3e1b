/** Retry timing of a webhook delivery: exponential backoff with full jitter, inside a retry window. */
export type RetryPolicy = { baseMs: number; maxMs: number };

/**
 * Delay before attempt `attempts + 1` after `attempts` failed ones: a random value in
 * [cap/2, cap] where cap = min(maxMs, baseMs × 2^(attempts−1)). Half of it is jitter, so receivers
 * that failed together are not retried together, and a retry never comes sooner than half the step.
 */
export function retryDelayMs(
  policy: RetryPolicy,
  attempts: number,
  random: () => number = Math.random,
): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 40));
  const cap = Math.min(policy.maxMs, policy.baseMs * 2 ** exponent);
  return Math.round(cap / 2 + random() * (cap / 2));
}

/** When the next attempt is due, or undefined when it would fall past the retry window (give up). */
export function nextAttemptAt(
  policy: RetryPolicy,
  attempts: number,
  now: Date,
  retryUntil: Date,
  random?: () => number,
): Date | undefined {
  const at = new Date(now.getTime() + retryDelayMs(policy, attempts, random));
  return at.getTime() > retryUntil.getTime() ? undefined : at;
}
