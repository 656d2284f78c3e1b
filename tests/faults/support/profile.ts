/**
 * Sizes of the fault scenarios. `npm test` runs the bounded profile; `npm run soak` sets
 * FAULTS_PROFILE=soak (read here, on the test side only: services never see it).
 *
 * An operation must last long enough for faults to land in the middle of it, yet the whole suite
 * must stay within a few minutes on 2 cores. Simulated latency costs no CPU (a timer per device),
 * so the bounded profile keeps the full 20,000 devices and gets its duration from latency over a
 * small per-prober concurrency: 20,000 × 20 ms / (2 probers × 16) ≈ 12 s of probing.
 */
export type FaultProfile = {
  name: "ci" | "soak";
  devices: number;
  latencyMs: number;
  /** Seconds the probing should take without faults (sets PROBER_CONCURRENCY). */
  targetSeconds: number;
  /** How many times each repeated fault is injected (prober kills, restarts…). */
  repeats: number;
};

export function faultProfile(
  env: Record<string, string | undefined> = process.env,
  /** A scenario's own bounded size (e.g. the NATS cluster's, whose three servers triple the NATS work). */
  opts: { ciDevices?: number } = {},
): FaultProfile {
  const soak = env.FAULTS_PROFILE === "soak";
  const base: FaultProfile = soak
    ? { name: "soak", devices: 100_000, latencyMs: 20, targetSeconds: 60, repeats: 6 }
    : { name: "ci", devices: opts.ciDevices ?? 20_000, latencyMs: 20, targetSeconds: 12, repeats: 2 };
  const devices = Number(env.FAULTS_DEVICES);
  return Number.isInteger(devices) && devices > 0 ? { ...base, devices } : base;
}

/** PROBER_CONCURRENCY that makes `probers` replicas take about `targetSeconds` over the fleet. */
export function proberConcurrency(p: FaultProfile, probers: number, devices = p.devices): number {
  return Math.max(4, Math.ceil((devices * p.latencyMs) / (1000 * probers * p.targetSeconds)));
}

/** Vitest timeout of one scenario: the operation, ack-wait redeliveries after kills, and the audit. */
export function scenarioTimeoutMs(p: FaultProfile): number {
  return p.name === "soak" ? 1_800_000 : 300_000;
}

/** How long a scenario waits for its operation to end after the faults (FAULTS_FINISH_MS overrides). */
export function finishTimeoutMs(
  p: FaultProfile,
  env: Record<string, string | undefined> = process.env,
): number {
  const given = Number(env.FAULTS_FINISH_MS);
  if (Number.isInteger(given) && given > 0) return given;
  return p.name === "soak" ? 1_200_000 : 200_000;
}
