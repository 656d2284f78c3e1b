import { Transform } from "node:stream";
import {
  BaselineFields,
  type CompiledBaselines,
  compileBaselines,
  evaluateCompliance,
} from "@headless-ops/contracts";
import type pg from "pg";
import type { ReportRow } from "./report-query.js";

/** Baselines read for one report; an organization has a handful, this bounds a misuse. */
const MAX_BASELINES = 10_000;

type BaselineRow = {
  organization_id: string;
  vendor: string;
  model_pattern: string;
  min_firmware: string | null;
  allowed_firmware: string[] | null;
  serial_required: boolean;
  model_must_match_inventory: boolean;
};

/** The compiled baselines of each of the operation's organizations, read once per report. */
export async function loadBaselines(
  db: Pick<pg.Pool, "query">,
  organizationIds: readonly (string | number)[],
): Promise<Map<string, CompiledBaselines>> {
  const res = await db.query<BaselineRow>(
    `SELECT organization_id::text AS organization_id, vendor, model_pattern, min_firmware, allowed_firmware,
            serial_required, model_must_match_inventory
       FROM compliance_baselines WHERE organization_id = ANY($1::bigint[]) ORDER BY id LIMIT $2`,
    [organizationIds, MAX_BASELINES],
  );
  const byOrg = new Map<string, ReturnType<typeof BaselineFields.parse>[]>();
  for (const { organization_id, ...fields } of res.rows) {
    const list = byOrg.get(organization_id) ?? [];
    list.push(BaselineFields.parse(fields));
    byOrg.set(organization_id, list);
  }
  return new Map([...byOrg].map(([org, list]) => [org, compileBaselines(list)]));
}

/**
 * Judges each row at read time against its organization's baselines as they are now (the report of a
 * compliance_report operation): verdict, rule, observed and required fill the compliance columns.
 */
export function complianceStage(baselines: Map<string, CompiledBaselines>): Transform {
  return new Transform({
    objectMode: true,
    transform(row: ReportRow, _enc, done) {
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
