import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";

/*
 * Device credentials at rest: AES-256-GCM over the credentials' JSON.
 * Layout: [format version (1 byte)] [iv (12)] [auth tag (16)] [ciphertext].
 * The version byte lets a future key rotation or cipher change read old rows.
 */
const FORMAT_V1 = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class CredentialKeyError extends Error {
  override readonly name = "CredentialKeyError";
  readonly code = "credential_key";
}

export class CredentialSealError extends Error {
  override readonly name = "CredentialSealError";
  readonly code = "credential_seal";
}

/** Parses CREDENTIAL_KEY: 64 hex characters or base64 of exactly 32 bytes. */
export function parseCredentialKey(value: string | undefined): Buffer {
  if (!value) {
    throw new CredentialKeyError(
      "CREDENTIAL_KEY is not set: device credentials cannot be sealed or opened (generate one with `openssl rand -base64 32`)",
    );
  }
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  if (key.length !== 32) {
    throw new CredentialKeyError(
      `CREDENTIAL_KEY must be 32 bytes (64 hex characters or base64), got ${key.length} bytes`,
    );
  }
  return key;
}

export type CredentialSealer = {
  seal: (value: unknown) => Buffer;
  open: (sealed: Buffer) => unknown;
};

/** Seals and opens credential JSON with one key; the key is checked here, once. */
export function createCredentialSealer(keyValue: string | undefined): CredentialSealer {
  const key = parseCredentialKey(keyValue);
  return {
    seal(value) {
      const iv = randomBytes(IV_BYTES);
      const cipher = createCipheriv("aes-256-gcm", key, iv);
      const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
      return Buffer.concat([Buffer.from([FORMAT_V1]), iv, cipher.getAuthTag(), body]);
    },
    open(sealed) {
      if (sealed.length < 1 + IV_BYTES + TAG_BYTES || sealed[0] !== FORMAT_V1) {
        throw new CredentialSealError("sealed credentials have an unknown format");
      }
      const iv = sealed.subarray(1, 1 + IV_BYTES);
      const tag = sealed.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = createDecipheriv("aes-256-gcm", key, iv);
      decipher.setAuthTag(tag);
      try {
        const plain = Buffer.concat([
          decipher.update(sealed.subarray(1 + IV_BYTES + TAG_BYTES)),
          decipher.final(),
        ]);
        return JSON.parse(plain.toString("utf8"));
      } catch (err) {
        throw new CredentialSealError("sealed credentials could not be opened (wrong key or tampered data)", {
          cause: err,
        });
      }
    },
  };
}
