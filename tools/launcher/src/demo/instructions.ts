/** What `npm start -- --demo` prints once the demo data is in: the token and ready curl lines. */
export function demoInstructions(opts: {
  apiUrl: string;
  token: string;
  organizations: number[];
  devices: number;
}): string {
  const base = `${opts.apiUrl}/api/v1/inventory_device_serial_headless_operation/`;
  const body = {
    operation_type: "bulk_serial_sync",
    target_organizations: opts.organizations,
    device_filters: { types: ["router", "switch"], status: ["active", "pending"] },
    schedule: { execute_at: "<now or later, e.g. $(date -u -d '+10 sec' +%FT%TZ)>", priority: "normal" },
    options: { update_firmware_info: true, validate_connectivity: true, timeout_minutes: 120 },
  };
  const json = JSON.stringify(body, null, 2).replace(
    /"<now or later[^"]*>"/,
    `"'"$(date -u -d '+10 sec' +%FT%TZ)"'"`,
  );
  return [
    "",
    "──────────────────────────── headless-ops demo ────────────────────────────",
    `Organizations ${opts.organizations.join(", ")} with ${opts.devices} simulated devices (every type,`,
    "about 1 in 7 failing: timeouts, unreachable, bad credentials, protocol errors).",
    "",
    "API token (admin on those organizations; shown once):",
    `  export TOKEN=${opts.token}`,
    "",
    "Schedule an operation (the reference POST, due in 10 s):",
    `  curl -s -X POST "${base}" \\`,
    '    -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\',
    `    -d '${json.replace(/\n/g, "\n    ")}'`,
    "",
    "Watch it (the reference GET; put the id from the POST answer):",
    `  curl -s "${base}?id=ID&update_status=true" -H "Authorization: Bearer $TOKEN"`,
    "All operations, newest first:",
    `  curl -s "${base}" -H "Authorization: Bearer $TOKEN"`,
    `API docs: ${opts.apiUrl}/docs     Ctrl-C stops everything.`,
    "───────────────────────────────────────────────────────────────────────────",
    "",
  ].join("\n");
}
