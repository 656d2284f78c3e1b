import type { ApiClient, CurrentToken } from "../api.js";
import { ProgressBar } from "../components/progress-bar.js";
import { StatusBadge } from "../components/status-badge.js";
import { formatEta, formatRate, formatTime, humanize } from "../format.js";
import { useLiveOperations } from "../live-operations.js";
import { hrefOf } from "../route.js";
import { useNow } from "../use-now.js";

/** The newest operations with their live progress, rate and ETA. */
export function OperationsPage(props: { api: ApiClient; me: CurrentToken }) {
  const { operations, state } = useLiveOperations(props.api);
  const now = useNow();
  return (
    <section>
      <header class="page-head">
        <h2>Operations</h2>
        <span class={`live live-${state}`} data-state={state}>
          {state === "live" ? "live" : state}
        </span>
        {props.me.role !== "viewer" && (
          <a class="button" href={hrefOf({ page: "new-operation" })} data-action="new-operation">
            New operation
          </a>
        )}
      </header>
      <table class="table" aria-label="operations">
        <thead>
          <tr>
            <th>id</th>
            <th>status</th>
            <th>type</th>
            <th>organizations</th>
            <th class="wide">progress</th>
            <th>devices</th>
            <th>devices/s</th>
            <th>ETA</th>
            <th>scheduled for</th>
          </tr>
        </thead>
        <tbody>
          {operations.map((op) => (
            <tr key={op.id} data-operation-id={op.id}>
              <td>
                <a href={hrefOf({ page: "operation", id: op.id })}>#{op.id}</a>
              </td>
              <td>
                <StatusBadge status={op.status} />
              </td>
              <td>{humanize(op.operation_type)}</td>
              <td>{op.operation_details.organization_ids.join(", ")}</td>
              <td>
                <ProgressBar value={op.progress} status={op.status} />
              </td>
              <td class="num">
                {op.processed_devices.toLocaleString("en-US")} / {op.total_devices.toLocaleString("en-US")}
                {op.failed_devices > 0 && <span class="failed"> ({op.failed_devices} failed)</span>}
              </td>
              <td class="num">{formatRate(op.devices_per_second)}</td>
              <td>{formatEta(op.estimated_completion, now, op.status)}</td>
              <td>{formatTime(op.scheduled_for)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {operations.length === 0 && <p class="muted">No operations yet.</p>}
    </section>
  );
}
