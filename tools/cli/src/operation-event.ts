import { z } from "zod";

export const terminalStatuses = ["completed", "completed_with_errors", "failed", "cancelled"] as const;
const statuses = ["scheduled", "in_progress", ...terminalStatuses] as const;

/**
 * What `ops watch` needs from an SSE event's data (the Operation object plus `devices_per_second`,
 * see SSE-CONTRACT.md). Parsed, not cast; unknown fields pass so a newer server does not break it.
 */
export const operationEventSchema = z.looseObject({
  id: z.string(),
  status: z.enum(statuses),
  progress: z.number(),
  total_devices: z.number().int().nonnegative(),
  processed_devices: z.number().int().nonnegative(),
  failed_devices: z.number().int().nonnegative(),
  devices_per_second: z.number().nullable().optional(),
  estimated_completion: z.string().nullable().optional(),
});
export type OperationEvent = z.infer<typeof operationEventSchema>;
export type OperationStatus = OperationEvent["status"];

export const isTerminal = (status: string): boolean =>
  (terminalStatuses as readonly string[]).includes(status);
