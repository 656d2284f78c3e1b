import { type StoredOperationRequest, terminalOperationStatuses } from "@headless-ops/contracts";
import { withTransaction } from "@headless-ops/db";
import { type Principal, requireOrganizations } from "../auth.js";
import { conflict, notFound } from "../errors.js";
import { type CreateDeps, estimateFor, insertOperationRow } from "./create.js";
import { type OperationRow, priorityOf } from "./operation-view.js";
import { findOperation } from "./query.js";

/**
 * A new operation over the failed devices of a finished one: same type, organizations and options,
 * due now, `retry_of` set. Its request carries `device_ids`, so the scheduler's ledger snapshot
 * targets exactly those devices (still limited to the organizations).
 */
export async function retryOperation(
  deps: CreateDeps,
  principal: Principal,
  id: string,
): Promise<OperationRow> {
  const original = await findOperation(deps.pool, principal, id);
  if (!original) throw notFound();
  requireOrganizations(
    principal,
    original.organization_ids.map((org, i) => ({ id: Number(org), path: `organization_ids.${i}` })),
  );
  if (!terminalOperationStatuses.includes(original.status)) {
    throw conflict(`Only a finished operation can be retried; this one is ${original.status}.`, [
      { path: "status", message: `is ${original.status}` },
    ]);
  }
  const failed = await deps.pool.query<{ device_id: string }>(
    "SELECT device_id FROM operation_devices WHERE operation_id = $1 AND status = 'failed' ORDER BY device_id",
    [original.id],
  );
  const deviceIds = failed.rows.map((r) => r.device_id);
  if (deviceIds.length === 0) {
    throw conflict("The operation has no failed devices to retry.", [
      { path: "failed_devices", message: "no failed devices" },
    ]);
  }
  const request: StoredOperationRequest = {
    operation_type: original.operation_type,
    target_organizations: original.organization_ids.map(Number),
    device_filters: original.request.device_filters,
    schedule: { execute_at: new Date().toISOString(), priority: priorityOf(original.priority) },
    options: original.request.options,
    device_ids: deviceIds,
  };
  const estimatedMinutes = await estimateFor(deps, deviceIds.length, request);
  return withTransaction(deps.pool, (client) =>
    insertOperationRow(client, deps.natsPrefix, {
      request,
      tokenId: principal.tokenId,
      idempotencyKey: null,
      targetCount: deviceIds.length,
      estimatedMinutes,
      retryOf: original.id,
    }),
  );
}
