import { CreateOperationBody, DeviceInput, DevicePatch } from "@headless-ops/contracts";
import type { z } from "zod";

/*
 * The contract schemas plus what Postgres will accept: a timestamp that JSON Schema calls valid but
 * that falls outside years 1–9999 in UTC (`0000-01-01T00:00:00Z`, `9999-12-31T23:59:59-14:00`) would
 * fail the INSERT with a 500, so it is a 422 naming the field instead.
 */

const MIN = Date.UTC(1, 0, 1);
const MAX = Date.UTC(9999, 11, 31, 23, 59, 59, 999);
const MESSAGE = "must be between 0001-01-01 and 9999-12-31 (UTC)";

function inRange(value: string | null | undefined): boolean {
  if (value === null || value === undefined) return true;
  const ms = new Date(value).getTime();
  return Number.isFinite(ms) && ms >= MIN && ms <= MAX;
}

const lastSeenInRange = (d: { last_seen?: string | null | undefined }, ctx: z.RefinementCtx) => {
  if (!inRange(d.last_seen)) ctx.addIssue({ code: "custom", path: ["last_seen"], message: MESSAGE });
};

export const CheckedDeviceInput = DeviceInput.superRefine(lastSeenInRange);
export const CheckedDevicePatch = DevicePatch.superRefine(lastSeenInRange);
export const CheckedCreateOperationBody = CreateOperationBody.superRefine((body, ctx) => {
  if (!inRange(body.schedule?.execute_at)) {
    ctx.addIssue({ code: "custom", path: ["schedule", "execute_at"], message: MESSAGE });
  }
});
