import { useState } from "preact/hooks";
import { type ApiClient, type CurrentToken, OPERATIONS, problemOf } from "../api.js";
import { humanize } from "../format.js";
import { hrefOf } from "../route.js";

const TYPES = ["bulk_serial_sync", "inventory_audit", "status_refresh", "compliance_report"] as const;
const PRIORITIES = ["high", "normal", "low"] as const;

/** Schedules an operation (the reference POST) over some of the token's organizations, due now. */
export function NewOperationPage(props: { api: ApiClient; me: CurrentToken }) {
  const [type, setType] = useState<(typeof TYPES)[number]>("bulk_serial_sync");
  const [priority, setPriority] = useState<(typeof PRIORITIES)[number]>("normal");
  const [orgs, setOrgs] = useState<number[]>(props.me.organization_ids);
  const [problem, setProblem] = useState<string>();
  const [busy, setBusy] = useState(false);

  const toggle = (org: number) =>
    setOrgs((now) =>
      now.includes(org) ? now.filter((o) => o !== org) : [...now, org].sort((a, b) => a - b),
    );

  const submit = async (e: Event) => {
    e.preventDefault();
    setBusy(true);
    const { data, error, response } = await props.api.POST(OPERATIONS, {
      body: { operation_type: type, target_organizations: orgs, schedule: { priority } },
    });
    setBusy(false);
    // Without dry_run the answer is the operation (a dry run answers a preview, never sent from here).
    if (data && "id" in data) window.location.hash = hrefOf({ page: "operation", id: data.id });
    else setProblem(problemOf(error, response.status));
  };

  return (
    <section>
      <header class="page-head">
        <h2>New operation</h2>
      </header>
      <form class="new-operation" onSubmit={submit}>
        <label>
          type
          <select
            name="operation_type"
            value={type}
            onChange={(e) => setType((e.target as HTMLSelectElement).value as typeof type)}
          >
            {TYPES.map((t) => (
              <option key={t} value={t}>
                {humanize(t)}
              </option>
            ))}
          </select>
        </label>
        <label>
          priority
          <select
            name="priority"
            value={priority}
            onChange={(e) => setPriority((e.target as HTMLSelectElement).value as typeof priority)}
          >
            {PRIORITIES.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </label>
        <fieldset>
          <legend>organizations</legend>
          {props.me.organization_ids.map((org) => (
            <label key={org} class="check">
              <input
                type="checkbox"
                name="organization"
                value={org}
                checked={orgs.includes(org)}
                onChange={() => toggle(org)}
              />
              {org}
            </label>
          ))}
        </fieldset>
        <p class="muted">Runs now, over every device of the chosen organizations.</p>
        <button type="submit" disabled={busy || orgs.length === 0} data-action="create-operation">
          Start operation
        </button>
        {problem && (
          <p class="problem" role="alert">
            {problem}
          </p>
        )}
      </form>
    </section>
  );
}
