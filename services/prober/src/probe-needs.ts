import type { OperationType, ProbeOptions } from "@headless-ops/contracts";
import type { ProbeNeeds } from "./drivers/driver.js";

/** What each operation type reads from a device; drivers fetch nothing more. */
export function probeNeedsFor(type: OperationType, options: ProbeOptions): ProbeNeeds {
  switch (type) {
    case "bulk_serial_sync":
      return {
        serial: true,
        firmware: options.update_firmware_info,
        connectivity: options.validate_connectivity,
      };
    case "inventory_audit":
      return { serial: true, firmware: false, connectivity: options.validate_connectivity };
    case "status_refresh":
      return { serial: false, firmware: false, connectivity: true };
    case "compliance_report":
      return { serial: true, firmware: true, connectivity: options.validate_connectivity };
  }
}
