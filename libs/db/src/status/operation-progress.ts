import type { Queryable } from "../queryable.js";

/** An operation's counters as a fold committed them: what a progress event carries. */
export type OperationProgressRow = {
  id: string;
  status: string;
  progress: number;
  total_devices: number;
  processed_devices: number;
  failed_devices: number;
  error_summary: Record<string, number>;
  /** compliance_report with a frozen copy: verdict counts; null otherwise. */
  compliance_summary: { compliant: number; non_compliant: number; unknown: number } | null;
  estimated_completion: Date | null;
  updated_at: Date;
};

/** Reads the progress columns of the given operations (inside the fold's transaction, after its writes). */
export async function readOperationProgress(
  client: Queryable,
  operationIds: readonly string[],
): Promise<OperationProgressRow[]> {
  if (operationIds.length === 0) return [];
  const res = await client.query<OperationProgressRow>(
    `SELECT id, status, progress, total_devices, processed_devices, failed_devices, error_summary,
            CASE WHEN compliance_compliant IS NOT NULL THEN jsonb_build_object(
              'compliant', compliance_compliant, 'non_compliant', compliance_non_compliant,
              'unknown', compliance_unknown) END AS compliance_summary,
            estimated_completion, updated_at
       FROM operations WHERE id = ANY($1::bigint[])`,
    [operationIds],
  );
  return res.rows;
}
