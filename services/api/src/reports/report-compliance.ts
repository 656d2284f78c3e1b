import { Transform } from "node:stream";
import { type CompiledBaselines, compileFrozenBaselines, evaluateCompliance } from "@headless-ops/contracts";
import { MAX_FROZEN_BASELINES } from "@headless-ops/db";
import type pg from "pg";
import type { ReportRow } from "./report-query.js";

type BaselineRow = {
  organization_id: string;
  vendor: string;
  model_pattern: string;
  min_firmware: string | null;
  allowed_firmware: string[] | null;
  serial_required: boolean;
  model_must_match_inventory: boolean;
};

/**
 * The baselines a compliance_report is judged with, compiled per organization, read once per report:
 * the copy its claim froze (`operations.compliance_baselines`), so the report gives each device the
 * verdict the fold counted in `compliance_summary` whatever was edited since. An operation started
 * before that copy existed has none: it is judged against the baselines as they are now.
 */
export async function loadBaselines(
  db: Pick<pg.Pool, "query">,
  op: { id: string; organization_ids: readonly (string | number)[] },
): Promise<Map<string, CompiledBaselines>> {
  const frozen = await db.query<{ frozen: unknown }>(
    "SELECT compliance_baselines AS frozen FROM operations WHERE id = $1",
    [op.id],
  );
  const copy = frozen.rows[0]?.frozen;
  if (copy !== undefined && copy !== null) return compileFrozenBaselines(copy);
  return loadCurrentBaselines(db, op.organization_ids);
}

/** The organizations' baselines as they are now (operations started before the frozen copy existed). */
async function loadCurrentBaselines(
  db: Pick<pg.Pool, "query">,
  organizationIds: readonly (string | number)[],
): Promise<Map<string, CompiledBaselines>> {
  const res = await db.query<BaselineRow>(
    `SELECT organization_id::text AS organization_id, vendor, model_pattern, min_firmware, allowed_firmware,
            serial_required, model_must_match_inventory
       FROM compliance_baselines WHERE organization_id = ANY($1::bigint[]) ORDER BY id LIMIT $2`,
    [organizationIds, MAX_FROZEN_BASELINES],
  );
  // The same shape as a frozen copy (a baseline's fields and its organization): compiled the same way.
  return compileFrozenBaselines(res.rows);
}

/**
 * Fills the compliance columns of a compliance_report's rows: a row the fold judged keeps the
 * verdict stored with it (read by report-query.ts); any other (failed, cancelled, pending, or an
 * operation started before verdicts were stored) is judged here with the baselines of loadBaselines.
 */
export function complianceStage(baselines: Map<string, CompiledBaselines>): Transform {
  return new Transform({
    objectMode: true,
    transform(row: ReportRow, _enc, done) {
      if (row.compliance !== null) {
        done(null, row);
        return;
      }
      const r = evaluateCompliance(baselines.get(row.organization_id) ?? [], {
        status: row.status,
        observed: {
          serial: row.observed_serial,
          model: row.observed_model,
          vendor: row.observed_vendor,
          firmware: row.observed_firmware,
        },
        recordedModel: row.recorded_model,
      });
      row.compliance = r.verdict;
      row.compliance_rule = r.rule;
      row.compliance_observed = r.observed;
      row.compliance_required = r.required;
      done(null, row);
    },
  });
}
