import { z } from "zod";
import { OperationView } from "./operations.js";

/*
 * The live-progress streams (Server-Sent Events, README "Live progress"). Every `data:` line is
 * one JSON object: an operation as one item of the list's `results`, plus the recent fold rate.
 */

/** An operation in a live stream: the GET item plus `devices_per_second` (null before a rate is known). */
export const OperationLiveView = OperationView.extend({
  devices_per_second: z.number().min(0).nullable(),
});
export type OperationLiveView = z.infer<typeof OperationLiveView>;

/** The collection stream's first event: the newest visible operations (at most 50). */
export const OperationListSnapshot = z.object({ results: z.array(OperationLiveView).max(50) });
export type OperationListSnapshot = z.infer<typeof OperationListSnapshot>;

/** The collection stream's query: optionally one organization of the token's. */
export const OperationListEventsQuery = z.strictObject({
  organization_id: z.coerce.number().int().positive().optional(),
});

/** Names of the events of the per-operation stream, in the order they come. */
export const operationStreamEvents = ["snapshot", "progress", "finished"] as const;
/** Names of the events of the collection stream. */
export const operationListStreamEvents = ["snapshot", "operation"] as const;
