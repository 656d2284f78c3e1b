import { useCallback, useState } from "preact/hooks";
import { type ApiClient, OPERATIONS } from "../api.js";
import { Pager } from "../components/pager.js";
import { formatTime, humanize } from "../format.js";
import { usePage } from "../use-page.js";

const PAGE_SIZE = 20;

/**
 * The operation's failed devices with their error codes and messages, from the per-device results
 * endpoint, a page at a time; reloaded when the failed count moves (`failedDevices`).
 */
export function FailuresTable(props: { api: ApiClient; operationId: string; failedDevices: number }) {
  const [page, setPage] = useState(1);
  const { api, operationId, failedDevices } = props;
  // `failedDevices` is in the list so that a moved count loads the page again.
  const load = useCallback(
    (p: number) =>
      api.GET(`${OPERATIONS}{id}/devices/`, {
        params: { path: { id: operationId }, query: { status: "failed", page: p, page_size: PAGE_SIZE } },
      }),
    [api, operationId, failedDevices],
  );
  const { rows, count, problem } = usePage(load, page);

  if (failedDevices === 0) return <p class="muted">No failed devices.</p>;
  return (
    <div>
      {problem && <p class="problem">{problem}</p>}
      <table class="table" aria-label="failed devices">
        <thead>
          <tr>
            <th>device</th>
            <th>hostname</th>
            <th>error code</th>
            <th>message</th>
            <th>attempts</th>
            <th>finished</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.device_id} data-device-id={r.device_id}>
              <td>{r.device_id}</td>
              <td>{r.hostname ?? "—"}</td>
              <td>
                <code data-error-code={r.error_code ?? ""}>
                  {r.error_code ? humanize(r.error_code) : "—"}
                </code>
              </td>
              <td class="message">{r.error_message ?? "—"}</td>
              <td class="num">{r.attempts}</td>
              <td>{formatTime(r.finished_at)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} count={count} onPage={setPage} />
    </div>
  );
}
