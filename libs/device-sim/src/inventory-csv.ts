import type { DeviceSpec } from "./fleet-model.js";

/** Columns of the CSV that `POST /api/v1/devices/import` takes. */
export const csvColumns = [
  "organization_id",
  "hostname",
  "device_type",
  "status",
  "mgmt_address",
  "mgmt_port",
  "driver",
  "snmp_version",
  "community",
  "v3_user",
  "v3_security_level",
  "v3_auth_protocol",
  "v3_auth_key",
  "v3_priv_protocol",
  "v3_priv_key",
] as const;

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
