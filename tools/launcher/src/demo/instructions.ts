export type DemoBaseline = {
  id: string;
  organization_id: number;
  vendor: string;
  model_pattern: string;
  min_firmware: string | null;
};
export type DemoSchedule = {
  id: string;
  operation_type: string;
  target_organizations: number[];
  cron: string;
  timezone: string;
  cron_description: string;
  next_runs: string[];
};

/** The seeded baseline and schedule, and how to run a compliance report now and get its CSV. */
function complianceLines(opts: { apiUrl: string; baseline: DemoBaseline; schedule: DemoSchedule }): string[] {
  const { apiUrl, baseline: b, schedule: s } = opts;
  const base = `${apiUrl}/api/v1/inventory_device_serial_headless_operation/`;
  const orgs = s.target_organizations.join(", ");
  return [
    `Compliance (organization ${b.organization_id}; dashboard: ${apiUrl}/ui/#/baselines and #/schedules):`,
    `  firmware baseline #${b.id}: ${b.vendor} ${b.model_pattern} at least ${b.min_firmware ?? "any"} (the older simulated images fail it)`,
    `  nightly schedule #${s.id}: ${s.operation_type} "${s.cron}" ${s.timezone}, ${s.cron_description}; next run ${s.next_runs[0] ?? "none"}`,
    "Run a compliance report now, then save its CSV (curl or the CLI):",
    `  curl -s -X POST "${base}" -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\`,
    `    -d '{"operation_type": "compliance_report", "target_organizations": [${orgs}]}'`,
    `  curl -s "${base}ID/report?format=csv" -H "Authorization: Bearer $TOKEN" > report.csv`,
    `  HEADLESS_OPS_URL=${apiUrl} HEADLESS_OPS_TOKEN=$TOKEN npx headless-ops ops report ID > report.csv`,
  ];
}

/** What `npm start -- --demo` prints once the demo data is in: the token and ready curl lines. */
export function demoInstructions(opts: {
  apiUrl: string;
  token: string;
  organizations: number[];
  devices: number;
  baseline: DemoBaseline;
  schedule: DemoSchedule;
}): string {
  const base = `${opts.apiUrl}/api/v1/inventory_device_serial_headless_operation/`;
  // The reference POST body; execute_at is computed by the shell when the line is pasted.
  const body = [
    "{",
    '      "operation_type": "bulk_serial_sync",',
    `      "target_organizations": [${opts.organizations.join(", ")}],`,
    '      "device_filters": {"types": ["router", "switch"], "status": ["active", "pending"]},',
    `      "schedule": {"execute_at": "'"$(date -u -d '+10 sec' +%FT%TZ)"'", "priority": "normal"},`,
    '      "options": {"update_firmware_info": true, "validate_connectivity": true, "timeout_minutes": 120}',
    "    }",
  ].join("\n");
  return [
    "",
    "──────────────────────────── headless-ops demo ────────────────────────────",
    `Organizations ${opts.organizations.join(", ")} with ${opts.devices} devices served over real SNMP (v2c and v3)`,
    "by the fleet simulator on 127.16.x.y; about 1 in 10 misbehaves: silent, flapping, wrong",
    "credentials, no serial, malformed answers.",
    "",
    "API token (admin on those organizations; shown once):",
    `  export TOKEN=${opts.token}`,
    "",
    `Dashboard: ${opts.apiUrl}/ui/   (sign in with the token above; it stays in the tab's session storage)`,
    "",
    "Schedule an operation (the reference POST, due in 10 s):",
    `  curl -s -X POST "${base}" \\`,
    '    -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\',
    `    -d '${body}'`,
    "",
    "Watch it (the reference GET, with the id from the POST's answer):",
    `  curl -s "${base}?id=ID&update_status=true" -H "Authorization: Bearer $TOKEN"`,
    `  HEADLESS_OPS_URL=${opts.apiUrl} HEADLESS_OPS_TOKEN=$TOKEN npx headless-ops ops watch ID   # live bar; exit 0 = completed`,
    "Its per-device results, and every operation (newest first):",
    `  curl -s "${base}ID/devices/" -H "Authorization: Bearer $TOKEN"`,
    `  curl -s "${base}" -H "Authorization: Bearer $TOKEN"`,
    "",
    ...complianceLines(opts),
    "",
    `API docs: ${opts.apiUrl}/docs     Ctrl-C stops everything.`,
    "────────────────────────────────────────────────────────────────────────────",
    "",
  ].join("\n");
}
