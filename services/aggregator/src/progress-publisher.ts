import { type NatsConnection, publishCoreJson } from "@headless-ops/bus";
import { type NatsNames, OperationProgressEvent } from "@headless-ops/contracts";
import type { OperationProgressRow } from "@headless-ops/db";

/** A committed operation row as its progress event (absolute values; the next event supersedes it). */
export function progressEventOf(
  row: OperationProgressRow,
  devicesPerSecond: number | null,
  committedAt: Date,
): OperationProgressEvent {
  return OperationProgressEvent.parse({
    v: 1,
    operation_id: row.id,
    status: row.status,
    progress: row.progress,
    total_devices: row.total_devices,
    processed_devices: row.processed_devices,
    failed_devices: row.failed_devices,
    error_summary: row.error_summary,
    devices_per_second: devicesPerSecond === null ? null : Math.round(devicesPerSecond * 10) / 10,
    estimated_completion: row.estimated_completion?.toISOString() ?? null,
    updated_at: row.updated_at.toISOString(),
    committed_at: committedAt.toISOString(),
  });
}

/**
 * Publishes one progress event per operation a fold touched, after its commit, on core NATS: a
 * dropped event costs nothing (the API's streams also poll), so there is no ack to wait for.
 */
export function publishProgress(
  nc: NatsConnection | undefined,
  names: NatsNames,
  rows: readonly OperationProgressRow[],
  rateOf: (operationId: string) => number | undefined,
): number {
  if (!nc) return 0;
  // Called right after the fold's COMMIT: every row of the fold became visible at this moment.
  const committedAt = new Date();
  let sent = 0;
  for (const row of rows) {
    const event = progressEventOf(row, rateOf(row.id) ?? null, committedAt);
    if (publishCoreJson(nc, names.subjects.progress(row.id), event)) sent += 1;
  }
  return sent;
}
