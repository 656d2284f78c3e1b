import { terminalOperationStatuses } from "@headless-ops/contracts";
import { cancelStoredOperation, withTransaction } from "@headless-ops/db";
import type pg from "pg";
import type { Principal } from "../auth.js";
import { conflict, notFound } from "../errors.js";
import type { OperationRow } from "./operation-view.js";
import { parseId, reloadOperations } from "./query.js";

/**
 * Cancels an operation the token may act on (the transition itself: cancelStoredOperation in libs/db).
 * 409 when it already ended; a second cancel of a running one changes nothing and answers its state.
 */
export async function cancelOperation(
  pool: pg.Pool,
  natsPrefix: string,
  principal: Principal,
  id: string,
): Promise<OperationRow> {
  const valid = parseId(id);
  if (!valid) throw notFound();
  return withTransaction(pool, async (client) => {
    const found = await client.query<Pick<OperationRow, "status">>(
      `SELECT status FROM operations
        WHERE id = $1 AND organization_ids <@ $2::bigint[] FOR UPDATE`,
      [valid, principal.organizationIds],
    );
    const op = found.rows[0];
    if (!op) throw notFound();
    if (terminalOperationStatuses.includes(op.status)) {
      throw conflict(`The operation already ended (${op.status}).`, [
        { path: "status", message: `is ${op.status}` },
      ]);
    }
    await cancelStoredOperation(client, natsPrefix, valid);
    const [after] = await reloadOperations(client, [valid]);
    return after as OperationRow;
  });
}
