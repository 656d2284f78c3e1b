import type { DeviceView, SimProfile } from "@headless-ops/contracts";
import { isoZ, isoZOrNull } from "../time.js";

/** A `devices` row as read by the API. The sealed credentials never leave the database: only whether they exist. */
export type DeviceRow = {
  id: string;
  organization_id: string;
  hostname: string;
  device_type: DeviceView["device_type"];
  status: DeviceView["status"];
  mgmt_address: string | null;
  mgmt_port: number | null;
  driver: DeviceView["driver"];
  has_credentials: boolean;
  sim_profile: SimProfile | null;
  serial: string | null;
  model: string | null;
  vendor: string | null;
  firmware: string | null;
  last_seen: Date | null;
  last_probe_status: string | null;
  last_error_code: string | null;
  created_at: Date;
  updated_at: Date;
};

export const DEVICE_COLUMNS = `id, organization_id, hostname, device_type, status, mgmt_address, mgmt_port, driver,
  credentials IS NOT NULL AS has_credentials, sim_profile, serial, model, vendor, firmware, last_seen,
  last_probe_status, last_error_code, created_at, updated_at`;

export function deviceView(row: DeviceRow): DeviceView {
  return {
    id: row.id,
    organization_id: Number(row.organization_id),
    hostname: row.hostname,
    device_type: row.device_type,
    status: row.status,
    mgmt_address: row.mgmt_address,
    mgmt_port: row.mgmt_port,
    driver: row.driver,
    has_credentials: row.has_credentials,
    sim: row.sim_profile,
    serial: row.serial,
    model: row.model,
    vendor: row.vendor,
    firmware: row.firmware,
    last_seen: isoZOrNull(row.last_seen),
    last_probe_status: row.last_probe_status,
    last_error_code: row.last_error_code,
    created_at: isoZ(row.created_at),
    updated_at: isoZ(row.updated_at),
  };
}
