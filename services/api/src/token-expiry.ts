import { ExpiresIn } from "@headless-ops/contracts";

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 } as const;

/** The expiry instant of a token created at `now` with lifetime `expiresIn` (`90d`, `12h`, `30m`, `2w`). */
export function expiryOf(expiresIn: string, now: Date = new Date()): Date {
  const valid = ExpiresIn.parse(expiresIn);
  const unit = valid.slice(-1) as keyof typeof UNIT_MS;
  return new Date(now.getTime() + Number(valid.slice(0, -1)) * UNIT_MS[unit]);
}
