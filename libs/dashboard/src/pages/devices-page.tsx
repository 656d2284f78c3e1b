import { useCallback, useState } from "preact/hooks";
import type { ApiClient, CurrentToken, Device } from "../api.js";
import { Pager } from "../components/pager.js";
import { formatTime, humanize } from "../format.js";
import { usePage } from "../use-page.js";

const PAGE_SIZE = 50;
const TYPES = ["router", "switch", "access_point", "firewall", "wireless_controller", "gateway"] as const;
const STATUSES = ["active", "pending", "offline", "maintenance", "decommissioned"] as const;
const DRIVERS = ["snmp", "simulated"] as const;

type Filters = {
  organization_id?: number;
  device_type?: Device["device_type"];
  status?: Device["status"];
  driver?: Device["driver"];
  hostname?: string;
};

function Select<T extends string>(props: {
  label: string;
  name: string;
  options: readonly T[];
  value: T | undefined;
  onChange: (v: T | undefined) => void;
}) {
  return (
    <label>
      {props.label}
      <select
        name={props.name}
        value={props.value ?? ""}
        onChange={(e) =>
          props.onChange(((e.target as HTMLSelectElement).value || undefined) as T | undefined)
        }
      >
        <option value="">any</option>
        {props.options.map((o) => (
          <option key={o} value={o}>
            {humanize(o)}
          </option>
        ))}
      </select>
    </label>
  );
}

/** The device inventory with the list's filters, a page at a time. */
export function DevicesPage(props: { api: ApiClient; me: CurrentToken }) {
  const [filters, setFilters] = useState<Filters>({});
  const [page, setPage] = useState(1);
  const set = (f: Partial<Filters>) => {
    setFilters((now) => ({ ...now, ...f }));
    setPage(1);
  };

  const { api } = props;
  const load = useCallback(
    (p: number) =>
      api.GET("/api/v1/devices/", {
        params: {
          query: { ...filters, hostname: filters.hostname || undefined, page: p, page_size: PAGE_SIZE },
        },
      }),
    [api, filters],
  );
  const { rows, count, problem } = usePage(load, page);

  const orgs = props.me.organization_ids.map(String);
  return (
    <section>
      <header class="page-head">
        <h2>Devices</h2>
      </header>
      <form class="filters" onSubmit={(e) => e.preventDefault()}>
        <Select
          label="organization"
          name="organization_id"
          options={orgs}
          value={filters.organization_id === undefined ? undefined : String(filters.organization_id)}
          onChange={(v) => set({ organization_id: v === undefined ? undefined : Number(v) })}
        />
        <Select
          label="type"
          name="device_type"
          options={TYPES}
          value={filters.device_type}
          onChange={(v) => set({ device_type: v })}
        />
        <Select
          label="status"
          name="status"
          options={STATUSES}
          value={filters.status}
          onChange={(v) => set({ status: v })}
        />
        <Select
          label="driver"
          name="driver"
          options={DRIVERS}
          value={filters.driver}
          onChange={(v) => set({ driver: v })}
        />
        <label>
          hostname
          <input
            name="hostname"
            type="search"
            value={filters.hostname ?? ""}
            onChange={(e) => set({ hostname: (e.target as HTMLInputElement).value })}
          />
        </label>
      </form>
      {problem && <p class="problem">{problem}</p>}
      <table class="table" aria-label="devices">
        <thead>
          <tr>
            <th>id</th>
            <th>organization</th>
            <th>hostname</th>
            <th>type</th>
            <th>status</th>
            <th>driver</th>
            <th>address</th>
            <th>serial</th>
            <th>vendor / model</th>
            <th>firmware</th>
            <th>last seen</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((d) => (
            <tr key={d.id} data-device-id={d.id}>
              <td>{d.id}</td>
              <td>{d.organization_id}</td>
              <td>{d.hostname}</td>
              <td>{humanize(d.device_type)}</td>
              <td>{d.status}</td>
              <td>{d.driver}</td>
              <td>{d.mgmt_address ? `${d.mgmt_address}${d.mgmt_port ? `:${d.mgmt_port}` : ""}` : "—"}</td>
              <td>{d.serial ?? "—"}</td>
              <td>{[d.vendor, d.model].filter(Boolean).join(" ") || "—"}</td>
              <td>{d.firmware ?? "—"}</td>
              <td>{formatTime(d.last_seen)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={page} pageSize={PAGE_SIZE} count={count} onPage={setPage} />
    </section>
  );
}
