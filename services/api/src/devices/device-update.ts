import type { CredentialSealer } from "@headless-ops/runtime";
import type pg from "pg";
import { type Principal, requireOrganizations } from "../auth.js";
import { CheckedDevicePatch } from "../checked-schemas.js";
import { conflict, notFound, unprocessable } from "../errors.js";
import { parseOr422 } from "../validation.js";
import { NO_KEY_MESSAGE } from "./device-batch.js";
import { findDevice, updateDevice } from "./device-repository.js";
import type { DeviceRow } from "./device-view.js";

export type DeviceUpdateDeps = {
  pool: Pick<pg.Pool, "query">;
  sealer: CredentialSealer | undefined;
  addressProblem: (address: string) => string | undefined;
};

/**
 * A PATCH of one device under the device rules: the device must be the token's (404 otherwise), an
 * snmp device needs a management address, a new address passes the address guard, credentials are
 * sealed here (never stored in clear). Returns the updated row; HTTP errors carry the field paths.
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
  if (driver === "snmp" && !address) {
    throw unprocessable([{ path: "mgmt_address", message: "required when driver is snmp" }]);
  }
  const refused = patch.mgmt_address ? deps.addressProblem(patch.mgmt_address) : undefined;
  if (refused) throw unprocessable([{ path: "mgmt_address", message: refused }]);
  if (patch.credentials && !deps.sealer) {
    throw unprocessable([{ path: "credentials", message: NO_KEY_MESSAGE }]);
  }
  const sealed =
    patch.credentials === undefined
      ? undefined
      : patch.credentials === null
        ? null
        : deps.sealer?.seal(patch.credentials);
  requireOrganizations(principal, [{ id: Number(existing.organization_id), path: "organization_id" }]);
  const row = await updateDevice(deps.pool, existing.id, patch, sealed).catch((err) => {
    if ((err as { code?: string }).code === "23505") {
      throw conflict("A device with this hostname already exists.", [
        { path: "hostname", message: "already exists" },
      ]);
    }
    throw err;
  });
  if (!row) throw notFound();
  return row;
}
