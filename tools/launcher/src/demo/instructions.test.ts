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
});
