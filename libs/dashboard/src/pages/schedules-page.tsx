import { useCallback, useState } from "preact/hooks";
import { type ApiClient, type CurrentToken, problemOf, SCHEDULES, type Schedule } from "../api.js";
import { Pager } from "../components/pager.js";
import { StatusBadge } from "../components/status-badge.js";
import { formatTime, humanize } from "../format.js";
import { hrefOf } from "../route.js";
import { usePage } from "../use-page.js";

const PAGE_SIZE = 50;

/** The last firing's final (or current) status, linked to its operation; a dash before the first. */
function LastRun(props: { schedule: Schedule }) {
  const run = props.schedule.last_runs[0];
  if (!run) return <span class="muted">—</span>;
  return (
    <a href={hrefOf({ page: "operation", id: run.operation_id })} title={`fired ${formatTime(run.fire_at)}`}>
      <StatusBadge status={run.status} />
    </a>
  );
}

/**
 * Recurring schedules of the token's organizations: cron with its description, time zone, whether
 * enabled, the next fire time and the last run's status. Operators and admins may pause, resume
 * and delete; a viewer sees the list only (as on the operations page).
 */
export function SchedulesPage(props: { api: ApiClient; me: CurrentToken }) {
  const { api, me } = props;
  const [page, setPage] = useState(1);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState<string>();
  const canWrite = me.role !== "viewer";
  const load = useCallback(
    (p: number) => api.GET(SCHEDULES, { params: { query: { page: p, page_size: PAGE_SIZE } } }),
    [api],
  );
  const list = usePage(load, page);

  const write = async (s: Schedule, action: "toggle" | "delete") => {
    if (action === "delete" && !window.confirm(`Delete schedule #${s.id} (${s.cron_description})?`)) return;
    setBusy(s.id);
    setProblem(undefined);
    const path = { params: { path: { id: s.id } } };
    const answer =
      action === "toggle"
        ? await api.PATCH(`${SCHEDULES}{id}`, { ...path, body: { enabled: !s.enabled } })
        : await api.DELETE(`${SCHEDULES}{id}`, path);
    setBusy(undefined);
    if (!answer.response.ok) setProblem(problemOf(answer.error, answer.response.status));
    list.reload();
  };

  return (
    <section>
      <header class="page-head">
        <h2>Schedules</h2>
      </header>
      {(problem ?? list.problem) && (
        <p class="problem" role="alert">
          {problem ?? list.problem}
        </p>
      )}
      <table class="table" aria-label="schedules">
        <thead>
          <tr>
            <th>id</th>
            <th>type</th>
            <th>organizations</th>
            <th>when</th>
            <th>time zone</th>
            <th>enabled</th>
            <th>next run</th>
            <th>last run</th>
            {canWrite && <th />}
          </tr>
        </thead>
        <tbody>
          {list.rows.map((s) => (
            <tr key={s.id} data-schedule-id={s.id}>
              <td>#{s.id}</td>
              <td>{humanize(s.operation_type)}</td>
              <td>{s.target_organizations.join(", ")}</td>
              <td>
                <code data-field="cron">{s.cron}</code>{" "}
                <span class="muted" data-field="cron-description">
                  {s.cron_description}
                </span>
              </td>
              <td data-field="timezone">{s.timezone}</td>
              <td data-field="enabled">{s.enabled ? "yes" : "paused"}</td>
              <td data-field="next-run">{formatTime(s.next_runs[0])}</td>
              <td data-field="last-run">
                <LastRun schedule={s} />
              </td>
              {canWrite && (
                <td class="actions">
                  <button
                    type="button"
                    data-action="toggle-schedule"
                    disabled={busy === s.id}
                    onClick={() => write(s, "toggle")}
                  >
                    {s.enabled ? "Pause" : "Resume"}
                  </button>
                  <button
                    type="button"
                    class="danger"
                    data-action="delete-schedule"
                    disabled={busy === s.id}
                    onClick={() => write(s, "delete")}
                  >
                    Delete
                  </button>
                </td>
              )}
            </tr>
          ))}
        </tbody>
      </table>
      {list.loaded && list.count === 0 && <p class="muted">No schedules yet.</p>}
      <Pager page={page} pageSize={PAGE_SIZE} count={list.count} onPage={setPage} />
    </section>
  );
}
