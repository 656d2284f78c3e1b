import { z } from "zod";
import { DeviceStatus, DeviceType, OperationType } from "../domain.js";

const Counts = z.record(z.string(), z.number().int().min(0));

/** Why a targeted device could not be probed as it stands. */
export const UnprobeableReason = z.enum(["no_address", "no_credentials", "address_refused"]);

/** `dry_run: true` on the operation POST, or a schedule preview: what would run, nothing created. */
export const DryRunView = z
  .object({
    dry_run: z.literal(true),
    operation_type: OperationType,
    /** When it would run: `execute_at` (or now), or the schedule's next fire time (null: none left). */
    scheduled_for: z.iso.datetime({ offset: true }).nullable(),
    target_device_count: z.number().int().min(0),
    estimated_duration_minutes: z.number().int().min(0),
    counts: z.object({
      by_organization: Counts,
      by_type: Counts,
      by_status: Counts,
      by_driver: Counts,
    }),
    unprobeable: z.object({
      count: z.number().int().min(0),
      by_reason: Counts,
      /** Up to 20 of them, lowest id first. */
      sample: z.array(
        z.object({
          id: z.string(),
          hostname: z.string(),
          organization_id: z.number().int(),
          reason: UnprobeableReason,
        }),
      ),
    }),
    /** Up to 20 targeted devices, lowest id first. */
    sample: z.array(
      z.object({
        id: z.string(),
        hostname: z.string(),
        organization_id: z.number().int(),
        device_type: DeviceType,
        status: DeviceStatus,
        driver: z.string(),
        mgmt_address: z.string().nullable(),
      }),
    ),
  })
  .meta({ id: "DryRun" });
export type DryRunView = z.infer<typeof DryRunView>;
