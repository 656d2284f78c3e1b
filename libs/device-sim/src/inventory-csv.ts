import { DEVICE_CSV_COLUMNS } from "@headless-ops/contracts";
import type { DeviceSpec } from "./fleet-model.js";

/**
 * The leading columns of the import CSV (the shared list in contracts) that an inventory export
 * fills: identity, reachability and credentials; the observed and simulation columns stay out.
 */
export const csvColumns = DEVICE_CSV_COLUMNS.slice(0, DEVICE_CSV_COLUMNS.indexOf("priv_key") + 1);

const field = (value: string | number | undefined): string => {
  const text = value === undefined ? "" : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
};

/** One row per device, with the credentials the inventory holds (wrong ones for wrong_credentials devices). */
export function inventoryCsv(devices: readonly DeviceSpec[]): string {
  const lines = [csvColumns.join(",")];
  for (const d of devices) {
    const a = d.inventoryAccess;
    const v3 = a.version === "v3" ? a : undefined;
    const row = [
      d.organizationId,
      d.hostname,
      d.deviceType,
      "active",
      d.address,
      d.port,
      "snmp",
      a.version,
      a.version === "v2c" ? a.community : undefined,
      v3?.user,
      v3?.level,
      v3?.authProtocol,
      v3?.authKey,
      v3?.privProtocol,
      v3?.privKey,
    ];
    lines.push(row.map(field).join(","));
  }
  return `${lines.join("\n")}\n`;
}
