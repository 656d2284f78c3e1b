import type { Device, DeviceResult, Operation } from "@headless-ops/client";
import Table from "cli-table3";

/** Tables for people (`--json` prints the API's objects instead). Pure: strings in, a string out. */
/** No rule between body rows: small tables (a dry run's counts) stay short. */
const compactChars = { mid: "", "left-mid": "", "mid-mid": "", "right-mid": "" };

export function table(head: string[], rows: (string | number)[][], opts: { compact?: boolean } = {}): string {
  const t = new Table({
    head,
    style: { head: [], border: [] },
    ...(opts.compact ? { chars: compactChars } : {}),
  });
  t.push(...rows.map((r) => r.map((c) => String(c))));
  return t.toString();
}

const dash = (v: string | number | null | undefined) => (v === null || v === undefined || v === "" ? "-" : v);
const shortTime = (iso: string | null | undefined) =>
  iso ? iso.replace("T", " ").replace(/\.\d+Z$|Z$/, "Z") : "-";

export function operationsTable(ops: Operation[]): string {
  return table(
    ["ID", "TYPE", "STATUS", "PROGRESS", "DEVICES", "FAILED", "ORGS", "PRIORITY", "CREATED"],
    ops.map((op) => [
      op.id,
      op.operation_type,
      op.status,
      `${Math.floor(op.progress)}%`,
      `${op.processed_devices}/${op.total_devices}`,
      op.failed_devices,
      op.operation_details.organization_ids.join(","),
      op.priority,
      shortTime(op.created_at),
    ]),
  );
}

/** One operation as field/value rows, then its error_summary (code → count) when there is one. */
export function operationDetail(op: Operation): string {
  const rows: [string, string | number][] = [
    ["id", op.id],
    ["type", op.operation_type],
    ["status", op.status],
    ["priority", op.priority],
    ["organizations", op.operation_details.organization_ids.join(", ")],
    ["device types", op.operation_details.device_types.join(", ") || "all"],
    ["progress", `${Math.floor(op.progress)}%`],
    ["devices", `${op.processed_devices}/${op.total_devices} processed, ${op.failed_devices} failed`],
    ["retry of", dash(op.retry_of)],
    ["scheduled for", shortTime(op.scheduled_for)],
    ["started", shortTime(op.started_at)],
    ["finished", shortTime(op.finished_at)],
    ["estimated completion", shortTime(op.estimated_completion)],
  ];
  const detail = table(["FIELD", "VALUE"], rows);
  const errors = Object.entries(op.operation_details.error_summary).filter(([, n]) => n > 0);
  if (errors.length === 0) return detail;
  return `${detail}\n${table(["ERROR CODE", "DEVICES"], errors)}`;
}

export function failuresTable(results: DeviceResult[]): string {
  return table(
    ["DEVICE", "HOSTNAME", "ERROR CODE", "MESSAGE", "ATTEMPTS", "FINISHED"],
    results.map((r) => [
      r.device_id,
      dash(r.hostname),
      dash(r.error_code),
      dash(r.error_message),
      r.attempts,
      shortTime(r.finished_at),
    ]),
  );
}

export function devicesTable(devices: Device[]): string {
  return table(
    ["ID", "HOSTNAME", "ORG", "TYPE", "STATUS", "DRIVER", "ADDRESS", "SERIAL", "LAST PROBE"],
    devices.map((d) => [
      d.id,
      d.hostname,
      d.organization_id,
      d.device_type,
      d.status,
      d.driver,
      d.mgmt_address ? `${d.mgmt_address}${d.mgmt_port ? `:${d.mgmt_port}` : ""}` : "-",
      dash(d.serial),
      d.last_probe_status
        ? `${d.last_probe_status}${d.last_error_code ? ` (${d.last_error_code})` : ""}`
        : "-",
    ]),
  );
}

/** The line under a page of a list: where it is, and how to get the next one. */
export function pageFooter(count: number, page: number, shown: number, hasNext: boolean): string {
  if (count === 0) return "no results";
  return `${shown} of ${count} shown (page ${page})${hasNext ? `; next: --page ${page + 1}` : ""}`;
}
