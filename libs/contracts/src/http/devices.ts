import { z } from "zod";
import { DeviceStatus, DeviceType, Driver, OrganizationId, SimProfile, SnmpCredentials } from "../domain.js";
import { PageQuery } from "./pagination.js";

const Iso = z.iso.datetime({ offset: true });
const text = (max: number) => z.string().max(max).nullish();

/** Largest batch `POST /devices/` accepts in one request (all or nothing). */
export const DEVICE_BATCH_MAX = 10_000;
/** Largest CSV `POST /devices/import` accepts. */
export const DEVICE_IMPORT_MAX = 100_000;

const deviceFields = {
  organization_id: OrganizationId,
  hostname: z.string().min(1).max(253),
  device_type: DeviceType,
  status: DeviceStatus.default("active"),
  /** Management address (IP or DNS name) and SNMP port. */
  mgmt_address: text(255),
  mgmt_port: z.number().int().min(1).max(65_535).nullish(),
  driver: Driver.default("simulated"),
  /** Write-only: sealed at rest, never returned. */
  credentials: SnmpCredentials.nullish(),
  /** Behaviour of the `simulated` driver. */
  sim: SimProfile.nullish(),
  serial: text(256),
  model: text(256),
  vendor: text(256),
  firmware: text(256),
  last_seen: Iso.nullish(),
};

/** An SNMP device must say where it is. */
function snmpNeedsAddress(d: { driver?: string; mgmt_address?: string | null }, ctx: z.RefinementCtx) {
  if (d.driver === "snmp" && !d.mgmt_address) {
    ctx.addIssue({ code: "custom", path: ["mgmt_address"], message: "required when driver is snmp" });
  }
}

export const DeviceInput = z
  .strictObject(deviceFields)
  .superRefine(snmpNeedsAddress)
  .meta({ id: "NewDevice" });
export type DeviceInput = z.infer<typeof DeviceInput>;

/** PATCH: any subset of the fields (null clears an optional one). */
export const DevicePatch = z
  .strictObject({
    hostname: deviceFields.hostname.optional(),
    device_type: DeviceType.optional(),
    status: DeviceStatus.optional(),
    mgmt_address: deviceFields.mgmt_address,
    mgmt_port: deviceFields.mgmt_port,
    driver: Driver.optional(),
    credentials: deviceFields.credentials,
    sim: deviceFields.sim,
    serial: deviceFields.serial,
    model: deviceFields.model,
    vendor: deviceFields.vendor,
    firmware: deviceFields.firmware,
    last_seen: deviceFields.last_seen,
  })
  .meta({ id: "DevicePatch" });
export type DevicePatch = z.infer<typeof DevicePatch>;

/** A device as the API returns it. Credentials are reported only as present or absent. */
export const DeviceView = z
  .object({
    id: z.string(),
    organization_id: z.number().int(),
    hostname: z.string(),
    device_type: DeviceType,
    status: DeviceStatus,
    mgmt_address: z.string().nullable(),
    mgmt_port: z.number().int().nullable(),
    driver: Driver,
    has_credentials: z.boolean(),
    sim: SimProfile.nullable(),
    serial: z.string().nullable(),
    model: z.string().nullable(),
    vendor: z.string().nullable(),
    firmware: z.string().nullable(),
    last_seen: Iso.nullable(),
    last_probe_status: z.string().nullable(),
    last_error_code: z.string().nullable(),
    created_at: Iso,
    updated_at: Iso,
  })
  .meta({ id: "Device" });
export type DeviceView = z.infer<typeof DeviceView>;

export const DeviceListQuery = PageQuery.extend({
  organization_id: z.coerce.number().int().positive().optional(),
  device_type: DeviceType.optional(),
  status: DeviceStatus.optional(),
  driver: Driver.optional(),
  hostname: z.string().max(253).optional(),
});
