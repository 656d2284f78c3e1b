import { useCallback, useState } from "preact/hooks";
import { type ApiClient, BASELINES, type Baseline, type CurrentToken, problemOf } from "../api.js";
import { Pager } from "../components/pager.js";
import { firmwareRule, formatTime } from "../format.js";
import { usePage } from "../use-page.js";

/** The API's largest page: an organization's baselines are few, so one page nearly always holds them. */
const PAGE_SIZE = 200;

function rulesOf(b: Baseline): string {
  const rules = [
    b.serial_required && "serial present",
    b.model_must_match_inventory && "model matches inventory",
  ];
  return rules.filter(Boolean).join(", ") || "—";
}

function byOrganization(rows: Baseline[]): [number, Baseline[]][] {
  const groups = new Map<number, Baseline[]>();
  for (const b of rows) groups.set(b.organization_id, [...(groups.get(b.organization_id) ?? []), b]);
  return [...groups.entries()].sort(([a], [b]) => a - b);
}

/**
 * Firmware baselines per organization (what a compliance_report judges devices against): vendor,
 * model pattern, required firmware and the extra rules. Operators and admins may delete one.
 */
export function BaselinesPage(props: { api: ApiClient; me: CurrentToken }) {
  const { api, me } = props;
  const [page, setPage] = useState(1);
  const [problem, setProblem] = useState<string>();
  const canWrite = me.role !== "viewer";
  const load = useCallback(
    (p: number) => api.GET(BASELINES, { params: { query: { page: p, page_size: PAGE_SIZE } } }),
    [api],
  );
  const list = usePage(load, page);

  const remove = async (b: Baseline) => {
    if (
      !window.confirm(
        `Delete the ${b.vendor} ${b.model_pattern} baseline of organization ${b.organization_id}?`,
      )
    )
      return;
    setProblem(undefined);
    const answer = await api.DELETE(`${BASELINES}{id}`, { params: { path: { id: b.id } } });
    if (!answer.response.ok) setProblem(problemOf(answer.error, answer.response.status));
    list.reload();
  };

  return (
    <section>
      <header class="page-head">
        <h2>Compliance baselines</h2>
      </header>
      {(problem ?? list.problem) && (
        <p class="problem" role="alert">
          {problem ?? list.problem}
        </p>
      )}
      {byOrganization(list.rows).map(([org, baselines]) => (
        <div key={org} class="org-group" data-organization-id={org}>
          <h3>Organization {org}</h3>
          <table class="table" aria-label={`baselines of organization ${org}`}>
            <thead>
              <tr>
                <th>id</th>
                <th>vendor</th>
                <th>model pattern</th>
                <th>firmware</th>
                <th>rules</th>
                <th>updated</th>
                {canWrite && <th />}
              </tr>
            </thead>
            <tbody>
              {baselines.map((b) => (
                <tr key={b.id} data-baseline-id={b.id}>
                  <td>#{b.id}</td>
                  <td data-field="vendor">{b.vendor}</td>
                  <td>
                    <code data-field="model-pattern">{b.model_pattern}</code>
                  </td>
                  <td data-field="firmware">{firmwareRule(b)}</td>
                  <td>{rulesOf(b)}</td>
                  <td>{formatTime(b.updated_at)}</td>
                  {canWrite && (
                    <td class="actions">
                      <button
                        type="button"
                        class="danger"
                        data-action="delete-baseline"
                        onClick={() => remove(b)}
                      >
                        Delete
                      </button>
                    </td>
                  )}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ))}
      {list.loaded && list.count === 0 && <p class="muted">No baselines yet.</p>}
      {list.count > PAGE_SIZE && (
        <Pager page={page} pageSize={PAGE_SIZE} count={list.count} onPage={setPage} />
      )}
    </section>
  );
}
