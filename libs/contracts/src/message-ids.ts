/*
 * JetStream message ids (`Nats-Msg-Id`) of each subject. They are derived from what the message is
 * about, never random, so a republish after a crash or a retry inside the stream's duplicate window
 * is dropped by the server instead of being processed twice.
 */

/** `ops.operation.created`: one event per operation. */
export const operationCreatedMsgId = (operationId: string): string => `op-${operationId}-created`;

/**
 * `ops.job.<priority>`: a job is named by its operation, its first device and the dispatch round
 * (`attempt`); a requeue bumps the round, so its jobs are new messages.
 */
export const jobMsgId = (operationId: string, firstDeviceId: string, attempt: number): string =>
  `job-${operationId}-${firstDeviceId}-r${attempt}`;

/**
 * `ops.result`: some of one job's results, named `<job id>-res-<devices>` by the set of devices the
 * message carries (`devices`: a digest of their sorted ids, made by the prober). A job's results go
 * out in parts whose split depends on timing (slow devices, payload size), so a part's position or
 * first device does not say what it holds: a retried job that re-split its results would see a new,
 * larger part dropped as a "duplicate" of a smaller one and lose the difference. The same set of
 * devices is the only thing that may be de-duplicated (the fold keeps the first terminal result).
 */
export const resultMsgId = (jobId: string, devices: string): string => `${jobId}-res-${devices}`;

/** `ops.operation.started`: one event per operation (written with the scheduled → in_progress claim). */
export const operationStartedMsgId = (operationId: string): string => `op-${operationId}-started`;

/** `ops.operation.finished`: one event per operation (written with its terminal transition). */
export const operationFinishedMsgId = (operationId: string): string => `op-${operationId}-finished`;

/** Progress milestones webhooks can subscribe to. */
export const progressMilestones = [25, 50, 75] as const;
export type ProgressMilestone = (typeof progressMilestones)[number];

/** `ops.operation.progress_milestone`: one event per operation and milestone. */
export const operationMilestoneMsgId = (operationId: string, milestone: ProgressMilestone): string =>
  `op-${operationId}-m${milestone}`;
