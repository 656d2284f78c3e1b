import type { CreateOperationBody, StoredOperationRequest } from "@headless-ops/contracts";
import {
  insertOperation,
  PG_UNIQUE_VIOLATION,
  pgErrorCode,
  type Queryable,
  withTransaction,
} from "@headless-ops/db";
import type pg from "pg";
import type { Principal } from "../auth.js";
import { conflict } from "../errors.js";
import {
  countTargets,
  effectiveRateLimit,
  estimateMinutes,
  limitedPerMinute,
  measuredDevicesPerMinute,
} from "./estimate.js";
import { normalizeRequest, sameRequest } from "./normalize.js";
import { OPERATION_COLUMNS, type OperationRow } from "./operation-view.js";
import { type RawOperationRow, readOperationRow } from "./query.js";

export type CreateDeps = { pool: pg.Pool; natsPrefix: string; defaultDevicesPerMinute: number };

async function findByKey(db: Queryable, tokenId: string, key: string): Promise<OperationRow | undefined> {
  const res = await db.query<RawOperationRow>(
    `SELECT ${OPERATION_COLUMNS} FROM operations WHERE created_by = $1 AND idempotency_key = $2`,
    [tokenId, key],
  );
  const row = res.rows[0];
  return row && readOperationRow(row);
}

/**
 * Inserts an operation and its `operation.created` outbox row in one transaction (insertOperation in
 * libs/db); the relay publishes the event. Returns the stored row as the API reads it.
 */
export async function insertOperationRow(
  client: Queryable,
  natsPrefix: string,
  fields: {
    request: StoredOperationRequest;
    tokenId: string;
    idempotencyKey: string | null;
    targetCount: number;
    estimatedMinutes: number;
    retryOf: string | null;
  },
): Promise<OperationRow> {
  const { row } = await insertOperation<RawOperationRow>(
    client,
    natsPrefix,
    {
      request: fields.request,
      createdBy: fields.tokenId,
      idempotencyKey: fields.idempotencyKey,
      targetCount: fields.targetCount,
      estimatedMinutes: fields.estimatedMinutes,
      retryOf: fields.retryOf,
    },
    OPERATION_COLUMNS,
  );
  return readOperationRow(row);
}

/**
 * Estimated minutes for `count` devices at the measured (or configured) throughput, no faster than
 * the operation's rate limit.
 */
export async function estimateFor(
  deps: CreateDeps,
  count: number,
  request: StoredOperationRequest,
): Promise<number> {
  const [measured, limit] = await Promise.all([
    measuredDevicesPerMinute(deps.pool),
    effectiveRateLimit(deps.pool, request),
  ]);
  return estimateMinutes(count, limitedPerMinute(measured ?? deps.defaultDevicesPerMinute, limit));
}

/**
 * Creates an operation, or with an Idempotency-Key already used by this token returns the original
 * (`created: false`); the same key with a different request is a 409.
 */
export async function createOperation(
  deps: CreateDeps,
  principal: Principal,
  body: CreateOperationBody,
  idempotencyKey: string | undefined,
): Promise<{ row: OperationRow; created: boolean }> {
  const request = normalizeRequest(body, new Date());
  const replayOf = (original: OperationRow) => {
    if (!sameRequest(original.request, request, body.schedule?.execute_at !== undefined)) {
      throw conflict("This Idempotency-Key was already used with a different request.", [
        { path: "Idempotency-Key", message: `already used by operation ${original.id}` },
      ]);
    }
    return { row: original, created: false };
  };
  if (idempotencyKey) {
    const original = await findByKey(deps.pool, principal.tokenId, idempotencyKey);
    if (original) return replayOf(original);
  }
  const targetCount = await countTargets(deps.pool, {
    organizationIds: request.target_organizations,
    types: request.device_filters.types,
    statuses: request.device_filters.status,
  });
  const estimatedMinutes = await estimateFor(deps, targetCount, request);
  try {
    const row = await withTransaction(deps.pool, (client) =>
      insertOperationRow(client, deps.natsPrefix, {
        request,
        tokenId: principal.tokenId,
        idempotencyKey: idempotencyKey ?? null,
        targetCount,
        estimatedMinutes,
        retryOf: null,
      }),
    );
    return { row, created: true };
  } catch (err) {
    // A concurrent request with the same key committed first: answer with its operation.
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION && idempotencyKey) {
      const original = await findByKey(deps.pool, principal.tokenId, idempotencyKey);
      if (original) return replayOf(original);
    }
    throw err;
  }
}
