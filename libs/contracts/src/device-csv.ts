/**
 * Columns of the device CSV that `POST /api/v1/devices/import` takes, in the order the simulator's
 * inventory export writes them. Any order is accepted on import; only organization_id, hostname and
 * device_type are required. The API parser, the simulator's export and the CSV fuzz run all read
 * this one list, so a column cannot exist in one of them only.
 */
export const DEVICE_CSV_COLUMNS = [
  "organization_id",
  "hostname",
  "device_type",
  "status",
  "mgmt_address",
  "mgmt_port",
  "driver",
  "snmp_version",
  "community",
  "snmp_user",
  "security_level",
  "auth_protocol",
  "auth_key",
  "priv_protocol",
  "priv_key",
  "serial",
  "model",
  "vendor",
  "firmware",
  "sim_latency_ms",
  "sim_fail_rate",
  "sim_fail_code",
] as const;

export type DeviceCsvColumn = (typeof DEVICE_CSV_COLUMNS)[number];

/** Columns that must be present in the header row. */
export const REQUIRED_DEVICE_CSV_COLUMNS = ["organization_id", "hostname", "device_type"] as const;
