import { PG_UNIQUE_VIOLATION, pgErrorCode } from "@headless-ops/db";
import type { CredentialSealer } from "@headless-ops/runtime";
import type pg from "pg";
import { type Principal, requireOrganizations } from "../auth.js";
import { CheckedDevicePatch } from "../checked-schemas.js";
import { conflict, notFound, unprocessable } from "../errors.js";
import { parseOr422 } from "../validation.js";
import { NO_KEY_MESSAGE } from "./device-batch.js";
import { findDevice, updateDevice } from "./device-repository.js";
import type { DeviceRow } from "./device-view.js";

/*
 * Credentials are only ever sent where they were stored for: a PATCH that changes mgmt_address,
 * mgmt_port or driver of a device holding credentials must bring new credentials (or `null` to
 * remove them) in the same request, else it is refused with 422 and changes nothing. Otherwise
 * a tenant (or a stolen operator token) could point a v2c community at an address they control.
 */
const MOVED_WITHOUT_CREDENTIALS = (fields: string[]) =>
  `required when ${fields.join(", ")} changes: the stored credentials are not sent to a new address, port or driver; send them again in this request, or null to remove them`;

function movedFields(
  existing: DeviceRow,
  next: { driver: string; address: string | null; port: number | null },
): string[] {
  const moved: string[] = [];
  if (next.address !== existing.mgmt_address) moved.push("mgmt_address");
  if (next.port !== existing.mgmt_port) moved.push("mgmt_port");
  if (next.driver !== existing.driver) moved.push("driver");
  return moved;
}

export type DeviceUpdateDeps = {
  pool: Pick<pg.Pool, "query">;
  sealer: CredentialSealer | undefined;
  addressProblem: (address: string) => string | undefined;
};

/**
 * A PATCH of one device under the device rules: the device must be the token's (404 otherwise), an
 * snmp device needs a management address, a new address passes the address guard, moving a device
 * with credentials needs new ones, credentials are sealed here bound to the device (never stored in
 * clear). Returns the updated row; HTTP errors carry the field paths.
 */
export async function patchDevice(
  deps: DeviceUpdateDeps,
  principal: Principal,
  id: string,
  body: unknown,
): Promise<DeviceRow> {
  const existing = await findDevice(deps.pool, principal, id);
  if (!existing) throw notFound();
  const patch = parseOr422(CheckedDevicePatch, body);
  const driver = patch.driver ?? existing.driver;
  const address = patch.mgmt_address === undefined ? existing.mgmt_address : patch.mgmt_address;
  const port = patch.mgmt_port === undefined ? existing.mgmt_port : patch.mgmt_port;
  if (driver === "snmp" && !address) {
    throw unprocessable([{ path: "mgmt_address", message: "required when driver is snmp" }]);
  }
  const refused = patch.mgmt_address ? deps.addressProblem(patch.mgmt_address) : undefined;
  if (refused) throw unprocessable([{ path: "mgmt_address", message: refused }]);
  const moved = movedFields(existing, { driver, address, port });
  if (existing.has_credentials && moved.length > 0 && patch.credentials === undefined) {
    throw unprocessable(
      [{ path: "credentials", message: MOVED_WITHOUT_CREDENTIALS(moved) }],
      "Stored credentials are bound to where the device is reached; nothing was changed.",
    );
  }
  if (patch.credentials && !deps.sealer) {
    throw unprocessable([{ path: "credentials", message: NO_KEY_MESSAGE }]);
  }
  const binding = { deviceId: existing.id, organizationId: existing.organization_id, address, port };
  const sealed =
    patch.credentials === undefined
      ? undefined
      : patch.credentials === null
        ? null
        : deps.sealer?.seal(patch.credentials, binding);
  requireOrganizations(principal, [{ id: Number(existing.organization_id), path: "organization_id" }]);
  const row = await updateDevice(deps.pool, existing.id, patch, sealed).catch((err) => {
    if (pgErrorCode(err) === PG_UNIQUE_VIOLATION) {
      throw conflict("A device with this hostname already exists.", [
        { path: "hostname", message: "already exists" },
      ]);
    }
    throw err;
  });
  if (!row) throw notFound();
  return row;
}
