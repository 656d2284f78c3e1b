import { z } from "zod";
import { Driver, ErrorCode, ObservedValues, OperationType, Priority, SimProfile } from "./domain.js";
import {
  OperationFinishedEvent,
  OperationMilestoneEvent,
  OperationStartedEvent,
} from "./operation-events.js";

/*
 * Event contracts. Every event carries `v` (schema version). Contracts change only by
 * adding optional fields; a breaking change gets a new subject. Consumers parse with
 * these schemas and `term` what does not parse.
 */

/**
 * The version field of every event: producers write it, consumers accept an event without it as
 * version 1 (the shape published before `v` was checked), so a pod of the previous release can
 * still feed a new one during a rolling upgrade. A new version adds a literal here; consumers
 * keep accepting the previous one for at least one release.
 */
export const EventVersion = z.literal(1).default(1);

const Id = z.string().regex(/^\d+$/, "numeric id");

/** `ops.operation.created`: published from the outbox; message id `operationCreatedMsgId` (`op-<id>-created`). */
export const OperationCreated = z.object({
  v: EventVersion,
  operation_id: Id,
  priority: Priority,
  scheduled_for: z.iso.datetime({ offset: true }),
});
export type OperationCreated = z.infer<typeof OperationCreated>;

/** Options of an operation that probers need. */
export const ProbeOptions = z.object({
  update_firmware_info: z.boolean().default(false),
  validate_connectivity: z.boolean().default(false),
  /** Per-device deadline for one attempt. */
  probe_timeout_ms: z.number().int().positive().optional(),
});
export type ProbeOptions = z.infer<typeof ProbeOptions>;

/** One device inside a job message. Carries a credential reference (the device id), never a secret. */
export const JobDevice = z.object({
  device_id: Id,
  driver: Driver,
  address: z.string().max(255).nullish(),
  port: z.number().int().min(1).max(65535).nullish(),
  sim: SimProfile.nullish(),
});
export type JobDevice = z.infer<typeof JobDevice>;

/**
 * `ops.job.<priority>`: a batch of device jobs of one operation. Message id `jobMsgId`:
 * `job-<operation>-<first device>-r<attempt>`, where `attempt` is the operation's dispatch round.
 */
export const DeviceJobBatch = z.object({
  v: EventVersion,
  operation_id: Id,
  operation_type: OperationType,
  attempt: z.number().int().min(1),
  options: ProbeOptions,
  devices: z.array(JobDevice).min(1).max(10_000),
});
export type DeviceJobBatch = z.infer<typeof DeviceJobBatch>;

/** `cancelled`: the prober skipped the device because its operation was cancelled. */
export const DeviceOutcome = z.enum(["succeeded", "failed", "cancelled"]);
export type DeviceOutcome = z.infer<typeof DeviceOutcome>;

export const DeviceResult = z.object({
  device_id: Id,
  outcome: DeviceOutcome,
  error_code: ErrorCode.nullish(),
  error_message: z.string().max(1024).nullish(),
  observed: ObservedValues.nullish(),
  attempts: z.number().int().min(1),
  started_at: z.iso.datetime({ offset: true }),
  finished_at: z.iso.datetime({ offset: true }),
});
export type DeviceResult = z.infer<typeof DeviceResult>;

/**
 * `ops.result`: results of one job batch (all of them, or a part sent while the job runs or split to
 * fit the max payload). Message id `resultMsgId`: the job's message id + `-res-` + a digest of the
 * devices it carries.
 */
export const DeviceResultBatch = z.object({
  v: EventVersion,
  operation_id: Id,
  operation_type: OperationType,
  options: ProbeOptions,
  results: z.array(DeviceResult).min(1).max(10_000),
});
export type DeviceResultBatch = z.infer<typeof DeviceResultBatch>;

/** What a consumer of a subject is provisioned with (libs/bus provision reads it from here). */
export type ConsumerContract = {
  /** How long a delivered message may go unacked before the server delivers it again. */
  ackWaitMs: number;
  /** Deliveries before the server gives up on a message. */
  maxDeliver: number;
  /** Unacked messages the server lets one durable consumer hold (all its replicas together). */
  maxAckPending: number;
};

/**
 * The contract catalog: for each subject its schema, and for its consumer the ack wait, the number
 * of deliveries before a message is given up on, and how many messages may be in flight unacked.
 * Results are many small messages folded in batches, hence the deepest window; jobs are batches of
 * devices probed under each prober's own concurrency bound. The job ack wait is short (10 s) so a
 * prober killed with SIGKILL has its jobs redelivered within seconds; a live prober keeps a running
 * job with `working()` every ackWait/3 (services/prober job-handler).
 */
export const contracts = {
  operationCreated: { schema: OperationCreated, ackWaitMs: 30_000, maxDeliver: 20, maxAckPending: 1_000 },
  deviceJobs: { schema: DeviceJobBatch, ackWaitMs: 10_000, maxDeliver: 50, maxAckPending: 2_000 },
  deviceResults: { schema: DeviceResultBatch, ackWaitMs: 60_000, maxDeliver: 100, maxAckPending: 5_000 },
  /** The notifier's durable over started/finished/milestone events; a delivery may wait on a slow receiver. */
  operationLifecycle: {
    schema: z.union([OperationStartedEvent, OperationFinishedEvent, OperationMilestoneEvent]),
    ackWaitMs: 60_000,
    maxDeliver: 50,
    maxAckPending: 1_000,
  },
} as const satisfies Record<string, ConsumerContract & { schema: z.ZodType }>;
