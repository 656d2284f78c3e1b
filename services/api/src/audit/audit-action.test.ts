import { describe, expect, it } from "vitest";
import { auditActionOf } from "./audit-action.js";

describe("auditActionOf", () => {
  it("names the existing write routes", () => {
    expect(auditActionOf("PATCH", "/api/v1/devices/:id")).toEqual({
      action: "device.update",
      objectType: "device",
    });
    expect(auditActionOf("POST", "/api/v1/inventory_device_serial_headless_operation/:id/cancel")).toEqual({
      action: "operation.cancel",
      objectType: "operation",
    });
    expect(auditActionOf("DELETE", "/api/v1/tokens/:id").action).toBe("token.revoke");
  });

  it("derives an action for a route nobody registered here", () => {
    expect(auditActionOf("POST", "/api/v1/widgets/")).toEqual({
      action: "widgets.create",
      objectType: "widgets",
    });
    expect(auditActionOf("PATCH", "/api/v1/widgets/:id")).toEqual({
      action: "widgets.update",
      objectType: "widgets",
    });
    expect(auditActionOf("POST", "/api/v1/credentials/rotate")).toEqual({
      action: "credentials.rotate",
      objectType: "credentials",
    });
    expect(auditActionOf("PUT", "/api/v2/widgets/:id/:part")).toEqual({
      action: "widgets.replace",
      objectType: "widgets",
    });
  });

  it("a route's own config wins", () => {
    const configured = { action: "device.quarantine", objectType: "device" };
    expect(auditActionOf("POST", "/api/v1/devices/:id/q", configured)).toBe(configured);
  });
});
