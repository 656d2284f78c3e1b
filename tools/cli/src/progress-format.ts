import { exitCodes } from "./cli-error.js";
import type { OperationEvent, OperationStatus } from "./operation-event.js";

/** `ops watch`'s exit code for how the operation ended: 0 only for `completed`, so CI can gate on it. */
export function exitCodeFor(status: OperationStatus): number {
  switch (status) {
    case "completed":
      return exitCodes.ok;
    case "completed_with_errors":
      return exitCodes.completedWithErrors;
    case "failed":
      return exitCodes.failed;
    case "cancelled":
      return exitCodes.cancelled;
    default:
      return exitCodes.error;
  }
}

/** Devices per second for a person: one decimal under 100, whole numbers above; `-` when unknown. */
export function formatRate(rate: number | null | undefined): string {
  if (rate === null || rate === undefined || !Number.isFinite(rate) || rate < 0) return "-";
  return rate < 100 ? rate.toFixed(1) : Math.round(rate).toLocaleString("en-US");
}

/** A duration as `45s`, `3m05s`, `2h04m`; `-` when unknown. */
export function formatDuration(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return "-";
  const s = Math.round(seconds);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, "0")}m`;
}

/**
 * Seconds left: the server's `estimated_completion` when it gives one, otherwise the devices left
 * at the current rate; undefined while neither is known (no rate yet, or nothing to do).
 */
export function etaSeconds(op: OperationEvent, now: number): number | undefined {
  if (op.estimated_completion) {
    const at = Date.parse(op.estimated_completion);
    if (Number.isFinite(at)) return Math.max(0, (at - now) / 1000);
  }
  const left = op.total_devices - op.processed_devices;
  const rate = op.devices_per_second;
  if (left <= 0) return 0;
  if (!rate || rate <= 0) return undefined;
  return left / rate;
}

/** The values the progress bar's format string shows (cli-progress payload). */
export function progressPayload(op: OperationEvent, now: number) {
  return {
    status: op.status,
    rate: formatRate(op.devices_per_second),
    eta: formatDuration(etaSeconds(op, now)),
    failed: op.failed_devices.toLocaleString("en-US"),
  };
}

/** One line for a log or a non-terminal stdout: `in_progress 40% 400/1000 devices, 3 failed, …`. */
export function progressLine(op: OperationEvent, now: number): string {
  const p = progressPayload(op, now);
  return (
    `${op.status} ${Math.floor(op.progress)}% ${op.processed_devices}/${op.total_devices} devices, ` +
    `${p.failed} failed, ${p.rate} devices/s, ETA ${p.eta}`
  );
}

/** The last line of a watch: how it ended, with the counts. */
export function finishedLine(op: OperationEvent): string {
  const ok = op.processed_devices - op.failed_devices;
  return `operation ${op.id} ${op.status}: ${ok} succeeded, ${op.failed_devices} failed of ${op.total_devices} devices`;
}
