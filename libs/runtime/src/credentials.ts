import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { type CredentialKey, parseCredentialKeys } from "./credential-keys.js";

/*
 * Device credentials at rest: AES-256-GCM over the credentials' JSON.
 *
 * Format 2 (written): [2] [key id length (1)] [key id] [iv (12)] [auth tag (16)] [ciphertext]. The
 * additional data binds the ciphertext to its device: the header above plus the device id,
 * organization, management address and port. A ciphertext copied to another row, or left behind
 * when a row's address changes in the database, fails to open. The key id names the key that sealed
 * it, so several keys can be held while a rotation re-seals rows under the newest one.
 *
 * Format 1 (read only, written before binding existed): [1] [iv (12)] [auth tag (16)] [ciphertext]
 * with no key id and no additional data. It still opens (tried with every key held) so existing
 * inventories keep working; `npm run admin -- credentials rotate` re-seals those rows as format 2.
 */
const FORMAT_V1 = 1;
const FORMAT_V2 = 2;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export { CredentialKeyError } from "./credential-keys.js";

/** Why sealed credentials did not open: drives how the prober reports it. */
export type CredentialSealFailure = "unknown_format" | "unknown_key" | "not_bound";

export class CredentialSealError extends Error {
  override readonly name = "CredentialSealError";
  readonly code = "credential_seal";
  constructor(
    message: string,
    readonly reason: CredentialSealFailure,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** The device a ciphertext belongs to: the values of its `devices` row. */
export type CredentialBinding = {
  deviceId: string | number | bigint;
  organizationId: string | number | bigint;
  address: string | null | undefined;
  port: number | null | undefined;
};

export type CredentialSealer = {
  /** The id of the key that seals (the first one configured). */
  readonly sealingKeyId: string;
  seal: (value: unknown, binding: CredentialBinding) => Buffer;
  open: (sealed: Buffer, binding: CredentialBinding) => unknown;
  /** True when `sealed` is format 2 under the sealing key: a rotation leaves it alone. */
  isCurrent: (sealed: Buffer) => boolean;
};

function bindingBytes(binding: CredentialBinding): Buffer {
  const { deviceId, organizationId, address, port } = binding;
  return Buffer.from(
    JSON.stringify(["device", String(deviceId), String(organizationId), address ?? null, port ?? null]),
    "utf8",
  );
}

function headerOf(keyId: string): Buffer {
  const id = Buffer.from(keyId, "utf8");
  return Buffer.concat([Buffer.from([FORMAT_V2, id.length]), id]);
}

function decrypt(key: Buffer, body: Buffer, aad: Buffer | undefined): unknown {
  const iv = body.subarray(0, IV_BYTES);
  const tag = body.subarray(IV_BYTES, IV_BYTES + TAG_BYTES);
  const decipher = createDecipheriv("aes-256-gcm", key, iv);
  if (aad) decipher.setAAD(aad);
  decipher.setAuthTag(tag);
  const plain = Buffer.concat([decipher.update(body.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  return JSON.parse(plain.toString("utf8"));
}

/** Splits a format-2 value into its key id, its header and the rest; undefined when it is not one. */
function parseV2(sealed: Buffer): { keyId: string; header: Buffer; body: Buffer } | undefined {
  if (sealed[0] !== FORMAT_V2 || sealed.length < 2) return undefined;
  const end = 2 + (sealed[1] ?? 0);
  if (sealed.length < end + IV_BYTES + TAG_BYTES) return undefined;
  return {
    keyId: sealed.subarray(2, end).toString("utf8"),
    header: sealed.subarray(0, end),
    body: sealed.subarray(end),
  };
}

function openV1(keys: readonly CredentialKey[], sealed: Buffer): unknown {
  for (const { key } of keys) {
    try {
      return decrypt(key, sealed.subarray(1), undefined);
    } catch {
      // not this key: try the next one
    }
  }
  throw new CredentialSealError(
    "sealed credentials (unbound format 1) open with none of the configured keys",
    "unknown_key",
  );
}

/** Seals with the first key, opens with any held key; keys from `parseCredentialKeys`. */
export function createCredentialSealerFromKeys(keys: readonly CredentialKey[]): CredentialSealer {
  const sealing = keys[0];
  if (!sealing) throw new Error("createCredentialSealerFromKeys needs at least one key");
  const byId = new Map(keys.map((k) => [k.id, k.key]));
  const sealingHeader = headerOf(sealing.id);
  return {
    sealingKeyId: sealing.id,
    seal(value, binding) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", sealing.key, iv);
      cipher.setAAD(Buffer.concat([sealingHeader, bindingBytes(binding)]));
      const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
      return Buffer.concat([sealingHeader, iv, cipher.getAuthTag(), body]);
    },
    open(sealed, binding) {
      if (sealed[0] === FORMAT_V1 && sealed.length >= 1 + IV_BYTES + TAG_BYTES) return openV1(keys, sealed);
      const v2 = parseV2(sealed);
      if (!v2) throw new CredentialSealError("sealed credentials have an unknown format", "unknown_format");
      const key = byId.get(v2.keyId);
      if (!key) {
        throw new CredentialSealError(
          `sealed credentials name key id "${v2.keyId}", which is not among the configured keys`,
          "unknown_key",
        );
      }
      try {
        return decrypt(key, v2.body, Buffer.concat([v2.header, bindingBytes(binding)]));
      } catch (err) {
        throw new CredentialSealError(
          "sealed credentials do not belong to this device (sealed for another device, organization, address or port, or altered)",
          "not_bound",
          { cause: err },
        );
      }
    },
    isCurrent(sealed) {
      return parseV2(sealed)?.keyId === sealing.id;
    },
  };
}

/**
 * The sealer from the environment's values: CREDENTIAL_KEYS (`id:key,…`, first one seals) and/or
 * CREDENTIAL_KEY (one key, id `default`). Keys are checked here, once; throws CredentialKeyError.
 */
export function createCredentialSealer(
  keyValue: string | undefined,
  keysValue?: string | undefined,
  opts: { production?: boolean } = {},
): CredentialSealer {
  return createCredentialSealerFromKeys(parseCredentialKeys(keysValue, keyValue, opts));
}
