import { z } from "zod";
import { ComplianceSummary } from "./compliance/frozen-baselines.js";
import { OperationStatus, OperationType } from "./domain.js";
import { progressMilestones } from "./message-ids.js";

/*
 * What the pipeline says about an operation as it runs (issue 13).
 * Progress events are lossy (core NATS) and carry absolute values; the others go through the outbox
 * in the transaction of the transition they announce and are published durably on JetStream.
 */

const Id = z.string().regex(/^\d+$/, "numeric id");
const Timestamp = z.iso.datetime({ offset: true });
const Count = z.number().int().min(0);
const ErrorSummary = z.record(z.string(), Count);
export const TerminalOperationStatus = z.enum(["completed", "completed_with_errors", "failed", "cancelled"]);
export type TerminalOperationStatus = z.infer<typeof TerminalOperationStatus>;

/** `ops.progress.<id>` (core NATS): published by the aggregator after each fold commit per operation touched. */
export const OperationProgressEvent = z.object({
  v: z.literal(1),
  operation_id: Id,
  status: OperationStatus,
  progress: z.number().int().min(0).max(100),
  total_devices: Count,
  processed_devices: Count,
  failed_devices: Count,
  error_summary: ErrorSummary,
  /** Recent fold rate of this aggregator replica for the operation; null before a rate is known. */
  devices_per_second: z.number().min(0).nullable(),
  estimated_completion: Timestamp.nullable(),
  /** The operation row's `updated_at`: the fold transaction's start (Postgres `now()`), orders the events. */
  updated_at: Timestamp,
  /**
   * The aggregator's clock right after the fold's COMMIT, when the values became visible: the delay a
   * client sees is measured from it. Optional: an aggregator of an earlier release sends none.
   */
  committed_at: Timestamp.optional(),
  /**
   * A compliance_report's verdict counts as the fold committed them (absolute, like the counters);
   * null for a compliance_report without a frozen copy. Optional: absent for other operation types
   * and from an aggregator of an earlier release.
   */
  compliance_summary: ComplianceSummary.nullable().optional(),
});
export type OperationProgressEvent = z.infer<typeof OperationProgressEvent>;

/** `ops.operation.started`: message id `op-<id>-started`, written with the scheduled → in_progress claim. */
export const OperationStartedEvent = z.object({
  v: z.literal(1),
  operation_id: Id,
  status: z.literal("in_progress"),
  organization_ids: z.array(Id),
  operation_type: OperationType,
  total_devices: Count,
  started_at: Timestamp,
});
export type OperationStartedEvent = z.infer<typeof OperationStartedEvent>;

/** `ops.operation.finished`: message id `op-<id>-finished`, written with the terminal transition. */
export const OperationFinishedEvent = z.object({
  v: z.literal(1),
  operation_id: Id,
  status: TerminalOperationStatus,
  organization_ids: z.array(Id),
  operation_type: OperationType,
  total_devices: Count,
  processed_devices: Count,
  failed_devices: Count,
  error_summary: ErrorSummary,
  finished_at: Timestamp,
});
export type OperationFinishedEvent = z.infer<typeof OperationFinishedEvent>;

/** `ops.operation.progress_milestone`: message id `op-<id>-m<25|50|75>`, written in the fold that first crosses it. */
export const OperationMilestoneEvent = z.object({
  v: z.literal(1),
  operation_id: Id,
  milestone: z.union(progressMilestones.map((m) => z.literal(m))),
  organization_ids: z.array(Id),
  operation_type: OperationType,
  processed_devices: Count,
  total_devices: Count,
});
export type OperationMilestoneEvent = z.infer<typeof OperationMilestoneEvent>;
