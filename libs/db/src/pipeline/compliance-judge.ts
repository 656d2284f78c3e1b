import { type CompiledBaselines, compileFrozenBaselines, evaluateCompliance } from "@headless-ops/contracts";
import type { Queryable } from "../queryable.js";
import type { FoldRow } from "./result-fold.js";

/** An operation's frozen baselines per organization, or null when it has none (not a compliance_report). */
type Frozen = Map<string, CompiledBaselines> | null;

/** Operations remembered per cache: far more than run at once. */
const CACHE_LIMIT = 1_000;

/**
 * The frozen baselines of the operations a fold touches. A claimed operation's copy never changes
 * (the claim writes it once, before any result exists), so a cache may keep it for the operation's
 * life: a fold of any other type then costs no query at all.
 */
export class FrozenBaselineCache {
  private readonly byOperation = new Map<string, Frozen>();

  async load(client: Queryable, operationIds: readonly string[]): Promise<Map<string, Frozen>> {
    const missing = operationIds.filter((id) => !this.byOperation.has(id));
    if (missing.length > 0) {
      const res = await client.query<{ id: string; frozen: unknown }>(
        "SELECT id::text AS id, compliance_baselines AS frozen FROM operations WHERE id = ANY($1::bigint[])",
        [missing],
      );
      const found = new Map(res.rows.map((r) => [r.id, r.frozen]));
      for (const id of missing) {
        const frozen = found.get(id);
        this.remember(id, frozen === undefined || frozen === null ? null : compileFrozenBaselines(frozen));
      }
    }
    return new Map(operationIds.map((id) => [id, this.byOperation.get(id) ?? null]));
  }

  private remember(id: string, frozen: Frozen): void {
    if (this.byOperation.size >= CACHE_LIMIT) {
      const oldest = this.byOperation.keys().next().value;
      if (oldest !== undefined) this.byOperation.delete(oldest);
    }
    this.byOperation.set(id, frozen);
  }
}

/**
 * Judges the succeeded results of compliance_report operations with their frozen baselines and
 * writes the verdict into the observed values (`observed.compliance`: verdict, rule, observed and
 * required), which the fold stores in the ledger and counts (moved-rows.ts) — only for the rows it
 * actually moves, so a redelivered result is judged again but never counted twice. Other rows are
 * returned as they are; a failed or cancelled device of a compliance run counts as unknown.
 */
export async function judgeCompliance(
  client: Queryable,
  rows: readonly FoldRow[],
  cache: FrozenBaselineCache,
): Promise<readonly FoldRow[]> {
  const frozen = await cache.load(client, [...new Set(rows.map((r) => r.operationId))]);
  const judged = rows.filter((r) => r.outcome === "succeeded" && frozen.get(r.operationId));
  if (judged.length === 0) return rows;
  // The device's organization picks its baselines; the recorded model backs the observed one.
  const devices = await client.query<{ id: string; org: string; model: string | null }>(
    "SELECT id::text AS id, organization_id::text AS org, model FROM devices WHERE id = ANY($1::bigint[])",
    [[...new Set(judged.map((r) => r.deviceId))]],
  );
  const deviceById = new Map(devices.rows.map((d) => [d.id, d]));
  return rows.map((row) => {
    const baselines = row.outcome === "succeeded" ? frozen.get(row.operationId) : null;
    if (!baselines) return row;
    const device = deviceById.get(row.deviceId);
    const observed = row.observed ? (JSON.parse(row.observed) as Record<string, unknown>) : {};
    const text = (k: string) => (typeof observed[k] === "string" ? (observed[k] as string) : null);
    const compliance = evaluateCompliance((device && baselines.get(device.org)) ?? [], {
      status: row.outcome,
      observed: {
        serial: text("serial"),
        model: text("model"),
        vendor: text("vendor"),
        firmware: text("firmware"),
      },
      recordedModel: device?.model ?? null,
    });
    return { ...row, observed: JSON.stringify({ ...observed, compliance }) };
  });
}
