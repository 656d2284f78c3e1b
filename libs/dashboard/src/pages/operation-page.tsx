import { useCallback, useState } from "preact/hooks";
import { type ApiClient, type CurrentToken, OPERATIONS, problemOf } from "../api.js";
import { ComplianceSummary } from "../components/compliance-summary.js";
import { ErrorChart } from "../components/error-chart.js";
import { ProgressBar } from "../components/progress-bar.js";
import { StatusBadge } from "../components/status-badge.js";
import { ThroughputChart } from "../components/throughput-chart.js";
import { complianceCountsOf, formatEta, formatRate, formatTime, humanize, isTerminal } from "../format.js";
import { type LiveOperation, useLiveOperation } from "../live-operations.js";
import { downloadReportCsv } from "../report-download.js";
import { hrefOf } from "../route.js";
import { addSample, ratesOf, type Sample } from "../throughput.js";
import { useNow } from "../use-now.js";
import { FailuresTable } from "./failures-table.js";

/** One operation: live progress, errors by code, throughput over time, failed devices, cancel/retry. */
export function OperationPage(props: { api: ApiClient; me: CurrentToken; id: string }) {
  const { api, me, id } = props;
  const [samples, setSamples] = useState<Sample[]>([]);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);
  const onChange = useCallback((op: LiveOperation) => {
    const at = Date.parse(op.updated_at);
    setSamples((s) =>
      addSample(s, { at: Number.isNaN(at) ? Date.now() : at, processed: op.processed_devices }),
    );
  }, []);
  const { operation: op, state, problem: loadProblem } = useLiveOperation(api, id, onChange);
  const now = useNow();
  const canWrite = me.role !== "viewer";

  const download = async () => {
    setBusy(true);
    setProblem(await downloadReportCsv(api, id));
    setBusy(false);
  };

  const act = async (action: "cancel" | "retry") => {
    setBusy(true);
    setProblem(undefined);
    const options = { params: { path: { id } } };
    const answer =
      action === "cancel"
        ? await api.POST(`${OPERATIONS}{id}/cancel`, options)
        : await api.POST(`${OPERATIONS}{id}/retry`, options);
    setBusy(false);
    if (answer.error) return setProblem(problemOf(answer.error, answer.response.status));
    if (action === "retry" && answer.data)
      window.location.hash = hrefOf({ page: "operation", id: answer.data.id });
  };

  if (!op) return <p class={loadProblem ? "problem" : "muted"}>{loadProblem ?? "Loading…"}</p>;
  const terminal = isTerminal(op.status);
  const verdicts =
    op.operation_type === "compliance_report" ? complianceCountsOf(op.operation_details) : undefined;
  return (
    <section>
      <header class="page-head">
        <h2>
          Operation #{op.id} <StatusBadge status={op.status} />
        </h2>
        <span class={`live live-${state}`} data-state={state}>
          {terminal ? "finished" : state}
        </span>
        <button type="button" data-action="download-csv" disabled={busy} onClick={download}>
          Download CSV
        </button>
        {canWrite && !terminal && (
          <button
            type="button"
            class="danger"
            data-action="cancel"
            disabled={busy || op.cancel_requested_at !== null}
            onClick={() => act("cancel")}
          >
            {op.cancel_requested_at ? "Cancelling…" : "Cancel"}
          </button>
        )}
        {canWrite && terminal && op.failed_devices > 0 && (
          <button type="button" data-action="retry" disabled={busy} onClick={() => act("retry")}>
            Retry failed devices
          </button>
        )}
      </header>
      {problem && (
        <p class="problem" role="alert">
          {problem}
        </p>
      )}
      <ProgressBar value={op.progress} status={op.status} />
      <dl class="facts">
        <dt>type</dt>
        <dd>{humanize(op.operation_type)}</dd>
        <dt>organizations</dt>
        <dd>{op.operation_details.organization_ids.join(", ")}</dd>
        <dt>devices</dt>
        <dd data-field="processed">
          {op.processed_devices.toLocaleString("en-US")} of {op.total_devices.toLocaleString("en-US")}{" "}
          processed, {op.failed_devices.toLocaleString("en-US")} failed
        </dd>
        <dt>devices/s</dt>
        <dd>{formatRate(op.devices_per_second)}</dd>
        <dt>ETA</dt>
        <dd>{formatEta(op.estimated_completion, now, op.status)}</dd>
        <dt>priority</dt>
        <dd>{op.priority}</dd>
        <dt>scheduled for</dt>
        <dd>{formatTime(op.scheduled_for)}</dd>
        <dt>started / finished</dt>
        <dd>
          {formatTime(op.started_at)} / {formatTime(op.finished_at)}
        </dd>
        {op.retry_of && (
          <>
            <dt>retry of</dt>
            <dd>
              <a href={hrefOf({ page: "operation", id: op.retry_of })}>#{op.retry_of}</a>
            </dd>
          </>
        )}
      </dl>
      {verdicts && (
        <div class="panel">
          <h3>Compliance</h3>
          <ComplianceSummary counts={verdicts} />
        </div>
      )}
      <div class="panels">
        <div class="panel">
          <h3>Errors by code</h3>
          <ErrorChart summary={op.operation_details.error_summary} />
        </div>
        <div class="panel">
          <h3>Throughput</h3>
          <ThroughputChart points={ratesOf(samples)} />
        </div>
      </div>
      <h3>Failed devices</h3>
      <FailuresTable api={api} operationId={op.id} failedDevices={op.failed_devices} />
    </section>
  );
}
