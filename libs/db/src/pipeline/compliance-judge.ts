import { type CompiledBaselines, compileFrozenBaselines, evaluateCompliance } from "@headless-ops/contracts";
import type { Queryable } from "../queryable.js";
import type { FoldRow } from "./result-fold.js";

/** A compliance_report's frozen baselines, compiled; null for an operation without a copy. */
type Frozen = {
  byOrg: Map<string, CompiledBaselines>;
  /** The organization of every device when the operation targets only one (no lookup needed). */
  soleOrg: string | null;
  /** Whether a baseline compares with the inventory's model (then the recorded model is read). */
  readsInventoryModel: boolean;
} | null;

type Observed = {
  serial: string | null;
  model: string | null;
  vendor: string | null;
  firmware: string | null;
};
type DeviceRow = { id: string; org: string; model: string | null };

/** Operations remembered per cache: far more than run at once. */
const CACHE_LIMIT = 1_000;

function frozenOf(organizationIds: readonly string[], copy: unknown): Frozen {
  const byOrg = compileFrozenBaselines(copy);
  const readsInventoryModel = [...byOrg.values()].some((list) =>
    list.some((c) => c.baseline.model_must_match_inventory),
  );
  const soleOrg = organizationIds.length === 1 ? (organizationIds[0] as string) : null;
  return { byOrg, soleOrg, readsInventoryModel };
}

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
      const res = await client.query<{ id: string; orgs: string[]; frozen: unknown }>(
        `SELECT id::text AS id, organization_ids::text[] AS orgs, compliance_baselines AS frozen
           FROM operations WHERE id = ANY($1::bigint[])`,
        [missing],
      );
      const found = new Map(res.rows.map((r) => [r.id, r]));
      for (const id of missing) {
        const row = found.get(id);
        this.remember(id, row && row.frozen !== null ? frozenOf(row.orgs, row.frozen) : null);
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
 * The inventory is read only when needed: for the device's organization (an operation over several)
 * or its recorded model (a model rule, or no observed model).
 */
export async function judgeCompliance(
  client: Queryable,
  rows: readonly FoldRow[],
  cache: FrozenBaselineCache,
): Promise<readonly FoldRow[]> {
  const frozen = await cache.load(client, [...new Set(rows.map((r) => r.operationId))]);
  const judged: { row: FoldRow; frozen: NonNullable<Frozen>; observed: Observed }[] = [];
  const lookups = new Set<string>();
  for (const row of rows) {
    const f = row.outcome === "succeeded" ? frozen.get(row.operationId) : null;
    if (!f) continue;
    const observed = observedOf(row.observed);
    judged.push({ row, frozen: f, observed });
    if (!f.soleOrg || f.readsInventoryModel || !observed.model) lookups.add(row.deviceId);
  }
  if (judged.length === 0) return rows;
  const devices = lookups.size === 0 ? new Map<string, DeviceRow>() : await readDevices(client, [...lookups]);
  const verdicts = new Map<FoldRow, string>();
  for (const { row, frozen: f, observed } of judged) {
    const device = devices.get(row.deviceId);
    const org = f.soleOrg ?? device?.org;
    const compliance = evaluateCompliance((org !== undefined && f.byOrg.get(org)) || [], {
      status: row.outcome,
      observed,
      recordedModel: device?.model ?? null,
    });
    verdicts.set(row, withCompliance(row.observed, compliance));
  }
  return rows.map((row) => {
    const observed = verdicts.get(row);
    return observed === undefined ? row : { ...row, observed };
  });
}

function observedOf(json: string | null): Observed {
  const o = json ? (JSON.parse(json) as Record<string, unknown>) : {};
  const text = (k: string) => (typeof o[k] === "string" ? (o[k] as string) : null);
  return { serial: text("serial"), model: text("model"), vendor: text("vendor"), firmware: text("firmware") };
}

async function readDevices(client: Queryable, ids: string[]): Promise<Map<string, DeviceRow>> {
  const res = await client.query<DeviceRow>(
    "SELECT id::text AS id, organization_id::text AS org, model FROM devices WHERE id = ANY($1::bigint[])",
    [ids],
  );
  return new Map(res.rows.map((d) => [d.id, d]));
}

/** The observed JSON text with `compliance` added (the text is a JSON object the aggregator wrote). */
function withCompliance(json: string | null, compliance: unknown): string {
  const field = `"compliance":${JSON.stringify(compliance)}`;
  const body = json?.trim().slice(1, -1).trim();
  return body ? `{${body},${field}}` : `{${field}}`;
}
