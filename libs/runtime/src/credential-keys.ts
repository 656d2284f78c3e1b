/*
 * The credential keys a process holds: CREDENTIAL_KEYS=`k2:<key>,k1:<key>` (the first one seals, all
 * of them open) and/or CREDENTIAL_KEY=`<key>` (one key, id `default`, held after the CREDENTIAL_KEYS
 * ones, so a rotation can start by adding CREDENTIAL_KEYS next to the old CREDENTIAL_KEY).
 * A key is 32 bytes, 64 hex characters or base64.
 */

import type { Config } from "./config.js";

export class CredentialKeyError extends Error {
  override readonly name = "CredentialKeyError";
  readonly code = "credential_key";
}

export type CredentialKey = { id: string; key: Buffer };

/** Id of the key given as CREDENTIAL_KEY. */
export const SINGLE_KEY_ID = "default";

const KEY_ID = /^[A-Za-z0-9_.-]{1,64}$/;

/**
 * Example keys committed in this repository now or before (deploy/k8s/base/secret.example.yaml,
 * an older deploy/compose/compose.yaml), as hex. They are public: production refuses them (credential-keys.test.ts greps the repository
 * so a new example cannot be added without being listed here or being obviously weak).
 */
export const EXAMPLE_KEYS_HEX: readonly string[] = ["00".repeat(32), "11".repeat(32)];

/** Parses one key: 64 hex characters or base64 of exactly 32 bytes. `name` is the variable, for messages. */
export function parseCredentialKey(value: string | undefined, name = "CREDENTIAL_KEY"): Buffer {
  if (!value) {
    throw new CredentialKeyError(
      `${name} is not set: device credentials cannot be sealed or opened (generate one with \`openssl rand -base64 32\`)`,
    );
  }
  const key = /^[0-9a-fA-F]{64}$/.test(value) ? Buffer.from(value, "hex") : Buffer.from(value, "base64");
  if (key.length !== 32) {
    throw new CredentialKeyError(
      `${name} must be 32 bytes (64 hex characters or base64), got ${key.length} bytes`,
    );
  }
  return key;
}

/** Why a key must not be used in production, or undefined. */
export function weakKeyProblem(key: Buffer): string | undefined {
  if (key.every((b) => b === key[0])) return "all its bytes are equal";
  if (EXAMPLE_KEYS_HEX.includes(key.toString("hex")))
    return "it is an example key committed in the repository";
  return undefined;
}

function parseKeyList(value: string): CredentialKey[] {
  return value.split(",").map((entry, i) => {
    const at = entry.indexOf(":");
    const id = at < 0 ? "" : entry.slice(0, at).trim();
    if (!KEY_ID.test(id)) {
      throw new CredentialKeyError(
        `CREDENTIAL_KEYS entry ${i + 1} must be id:key with an id of letters, digits, '_', '.' or '-'`,
      );
    }
    return { id, key: parseCredentialKey(entry.slice(at + 1).trim(), `CREDENTIAL_KEYS key "${id}"`) };
  });
}

/**
 * The keys in order (the first seals). Throws CredentialKeyError naming the variable when none is
 * set, one is malformed, an id repeats, or (production) a key is obviously weak.
 */
export function parseCredentialKeys(
  keysValue: string | undefined,
  keyValue: string | undefined,
  opts: { production?: boolean } = {},
): CredentialKey[] {
  const keys = keysValue ? parseKeyList(keysValue) : [];
  if (keyValue) keys.push({ id: SINGLE_KEY_ID, key: parseCredentialKey(keyValue) });
  if (keys.length === 0) {
    throw new CredentialKeyError(
      "neither CREDENTIAL_KEYS nor CREDENTIAL_KEY is set: device credentials cannot be sealed or opened (generate a key with `openssl rand -base64 32`)",
    );
  }
  const seen = new Set<string>();
  for (const { id, key } of keys) {
    if (seen.has(id)) throw new CredentialKeyError(`credential key id "${id}" is given twice`);
    seen.add(id);
    const weak = opts.production ? weakKeyProblem(key) : undefined;
    if (weak) {
      const name = id === SINGLE_KEY_ID && keyValue ? "CREDENTIAL_KEY" : `CREDENTIAL_KEYS key "${id}"`;
      throw new CredentialKeyError(
        `${name} is refused with NODE_ENV=production: ${weak} (generate one with \`openssl rand -base64 32\`)`,
      );
    }
  }
  return keys;
}

/**
 * The keys of a service that seals or opens credentials (api, prober), checked at start-up. Outside
 * production with no key set: undefined (the caller refuses credentials / disables the snmp driver).
 * With NODE_ENV=production: throws without a key, or with an obviously weak one.
 */
export function credentialKeysOf(
  config: Pick<Config, "CREDENTIAL_KEY" | "CREDENTIAL_KEYS" | "NODE_ENV">,
): CredentialKey[] | undefined {
  const production = config.NODE_ENV === "production";
  if (!production && !config.CREDENTIAL_KEY && !config.CREDENTIAL_KEYS) return undefined;
  if (production && !config.CREDENTIAL_KEY && !config.CREDENTIAL_KEYS) {
    throw new CredentialKeyError(
      "NODE_ENV=production needs CREDENTIAL_KEYS or CREDENTIAL_KEY: device credentials cannot be sealed or opened without one (generate a key with `openssl rand -base64 32`)",
    );
  }
  return parseCredentialKeys(config.CREDENTIAL_KEYS, config.CREDENTIAL_KEY, { production });
}
