import type {
  ErrorCode,
  JobDevice,
  ObservedValues,
  OperationType,
  ProbeOptions,
} from "@headless-ops/contracts";

/** What an operation type needs from a device; drivers read nothing more. */
export type ProbeNeeds = {
  /** serial (and model/vendor from the chassis entry). */
  serial: boolean;
  /** firmware, model, vendor. */
  firmware: boolean;
  /** reachability and round-trip time. */
  connectivity: boolean;
};

export type ProbeRequest = {
  device: JobDevice;
  operationType: OperationType;
  options: ProbeOptions;
  needs: ProbeNeeds;
  /** 1 for the first try of this device in this job, then 2, 3, … on transient-failure retries. */
  attempt: number;
  /** Deadline for this attempt; drivers must give up when it aborts. */
  signal: AbortSignal;
  timeoutMs: number;
};

export type ProbeSuccess = { ok: true; observed: ObservedValues };
export type ProbeFailure = { ok: false; code: ErrorCode; message: string };
export type ProbeOutcome = ProbeSuccess | ProbeFailure;

/**
 * A device driver: probes one device and returns the observed values or a classified error.
 * Drivers never throw for a device's fault; a throw is treated as `internal_errors`.
 */
export interface Driver {
  readonly name: string;
  probe(request: ProbeRequest): Promise<ProbeOutcome>;
  close?(): Promise<void>;
}
