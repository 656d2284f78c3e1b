import type { DeviceInput, FieldError } from "@headless-ops/contracts";
import type { CredentialBinding, CredentialSealer } from "@headless-ops/runtime";
import type pg from "pg";
import { type Principal, requireOrganizations } from "../auth.js";
import { CheckedDeviceInput } from "../checked-schemas.js";
import { conflict, unprocessable } from "../errors.js";
import { fieldErrors } from "../validation.js";

/**
 * A device ready to insert: validated; its credentials are sealed by `seal` once the row's id is
 * allocated (the ciphertext is bound to the device id), so they are never stored in clear.
 */
export type DeviceRecord = Omit<DeviceInput, "credentials"> & {
  seal: ((binding: CredentialBinding) => Buffer) | null;
};

/** Where a batch item came from, for error paths: `3` in a JSON array, `line 4` in a CSV file. */
export type ItemLabel = (index: number) => string;

export const NO_KEY_MESSAGE = "cannot be stored: the server has no CREDENTIAL_KEY configured";

/**
 * Validates every item (collecting all errors, by item; management addresses through the address
 * guard), then checks the batch as a whole:
 * organizations the token may act on (403), organizations that exist and hostnames unique in
 * the batch (422), hostnames already registered (409). All or nothing: any error rejects the batch.
 */
export async function prepareBatch(
  db: Pick<pg.Pool, "query">,
  principal: Principal,
  sealer: CredentialSealer | undefined,
  addressProblem: (address: string) => string | undefined,
  items: readonly unknown[],
  label: ItemLabel,
): Promise<DeviceRecord[]> {
  const at = (i: number, field: string) => (label(i) ? `${label(i)}.${field}` : field);
  const errors: FieldError[] = [];
  const records: DeviceRecord[] = [];
  items.forEach((item, i) => {
    const parsed = CheckedDeviceInput.safeParse(item);
    if (!parsed.success) {
      errors.push(...fieldErrors(parsed.error.issues, label(i) ? [label(i)] : []));
      return;
    }
    const { credentials, ...rest } = parsed.data;
    const refused = rest.mgmt_address ? addressProblem(rest.mgmt_address) : undefined;
    if (refused) {
      errors.push({ path: at(i, "mgmt_address"), message: refused });
      return;
    }
    if (credentials && !sealer) {
      errors.push({ path: at(i, "credentials"), message: NO_KEY_MESSAGE });
      return;
    }
    records.push({
      ...rest,
      seal: credentials && sealer ? (binding) => sealer.seal(credentials, binding) : null,
    });
  });
  if (errors.length > 0) throw unprocessable(errors, "Invalid devices; nothing was created.");

  requireOrganizations(
    principal,
    records.map((r, i) => ({ id: r.organization_id, path: at(i, "organization_id") })),
  );
  const orgIds = [...new Set(records.map((r) => r.organization_id))];
  const known = await db.query<{ id: string }>("SELECT id FROM organizations WHERE id = ANY($1::bigint[])", [
    orgIds,
  ]);
  const knownIds = new Set(known.rows.map((r) => Number(r.id)));
  const seen = new Map<string, number>();
  records.forEach((r, i) => {
    if (!knownIds.has(r.organization_id)) {
      errors.push({
        path: at(i, "organization_id"),
        message: `organization ${r.organization_id} does not exist`,
      });
    }
    const key = `${r.organization_id}/${r.hostname}`;
    const first = seen.get(key);
    if (first !== undefined) {
      errors.push({ path: at(i, "hostname"), message: `duplicate of ${label(first)} in this request` });
    } else seen.set(key, i);
  });
  if (errors.length > 0) throw unprocessable(errors, "Invalid devices; nothing was created.");

  const existing = await db.query<{ organization_id: string; hostname: string }>(
    `SELECT organization_id, hostname FROM devices
      WHERE (organization_id, hostname) IN (SELECT * FROM unnest($1::bigint[], $2::text[]))`,
    [records.map((r) => r.organization_id), records.map((r) => r.hostname)],
  );
  if (existing.rows.length > 0) {
    const taken = new Set(existing.rows.map((r) => `${r.organization_id}/${r.hostname}`));
    const clashes = records.flatMap((r, i) =>
      taken.has(`${r.organization_id}/${r.hostname}`)
        ? [
            {
              path: at(i, "hostname"),
              message: `${r.hostname} already exists in organization ${r.organization_id}`,
            },
          ]
        : [],
    );
    throw conflict("Some devices already exist; nothing was created.", clashes);
  }
  return records;
}
