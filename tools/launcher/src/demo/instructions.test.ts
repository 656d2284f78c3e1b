import { execFileSync } from "node:child_process";
import { CreateOperationBody } from "@headless-ops/contracts";
import { describe, expect, it } from "vitest";
import { demoInstructions } from "./instructions.js";

describe("demoInstructions", () => {
  const text = demoInstructions({
    apiUrl: "http://127.0.0.1:8080",
    token: "hops_x",
    organizations: [101, 102, 103],
    devices: 300,
    baseline: {
      id: "4",
      organization_id: 101,
      vendor: "Cisco",
      model_pattern: "C9300-*",
      min_firmware: "17.12.3",
    },
    schedule: {
      id: "9",
      operation_type: "compliance_report",
      target_organizations: [101],
      cron: "0 2 * * *",
      timezone: "Europe/Zurich",
      cron_description: "At 02:00 (Europe/Zurich)",
      next_runs: ["2026-12-03T01:00:00Z"],
    },
  });

  it("prints the token and a POST whose body, as the shell expands it, is a valid operation due in the future", () => {
    expect(text).toContain("export TOKEN=hops_x");
    const post = text.slice(text.indexOf("  curl -s -X POST"), text.indexOf("Watch it"));
    const data = post.slice(post.indexOf("-d ") + 3).trim();
    // Let a real shell expand the quoting and the date, as a user pasting the line would.
    const expanded = execFileSync("sh", ["-c", `printf %s ${data}`]).toString();
    const body = CreateOperationBody.parse(JSON.parse(expanded));
    expect(body.target_organizations).toEqual([101, 102, 103]);
    expect(Date.parse(body.schedule?.execute_at ?? "")).toBeGreaterThan(Date.now());
  });

  it("prints the dashboard URL, without the token in it", () => {
    expect(text).toContain("Dashboard: http://127.0.0.1:8080/ui/ ");
    expect(text).not.toMatch(/ui\/\S*hops_x/);
  });

  it("prints the reference GET with update_status", () => {
    expect(text).toContain(
      'curl -s "http://127.0.0.1:8080/api/v1/inventory_device_serial_headless_operation/?id=ID&update_status=true"',
    );
  });

  it("prints the seeded baseline and schedule, and a compliance report with its CSV by curl and by the CLI", () => {
    expect(text).toContain("firmware baseline #4: Cisco C9300-* at least 17.12.3");
    expect(text).toContain(
      'nightly schedule #9: compliance_report "0 2 * * *" Europe/Zurich, At 02:00 (Europe/Zurich)',
    );
    expect(text).toContain("next run 2026-12-03T01:00:00Z");
    const post = text.slice(text.indexOf("Run a compliance report now"));
    const data = /-d '(\{[^']*\})'/.exec(post)?.[1] as string;
    expect(CreateOperationBody.parse(JSON.parse(data))).toMatchObject({
      operation_type: "compliance_report",
      target_organizations: [101],
    });
    expect(text).toContain(
      'curl -s "http://127.0.0.1:8080/api/v1/inventory_device_serial_headless_operation/ID/report?format=csv" -H "Authorization: Bearer $TOKEN" > report.csv',
    );
    expect(text).toContain(
      "HEADLESS_OPS_URL=http://127.0.0.1:8080 HEADLESS_OPS_TOKEN=$TOKEN npx headless-ops ops report ID > report.csv",
    );
  });
});
