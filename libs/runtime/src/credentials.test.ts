import { createCipheriv, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { parseCredentialKeys } from "./credential-keys.js";
import {
  type CredentialBinding,
  CredentialKeyError,
  CredentialSealError,
  createCredentialSealer,
  createCredentialSealerFromKeys,
} from "./credentials.js";

const creds = { version: "v2c", community: "s3cret-community" };
const device: CredentialBinding = { deviceId: "42", organizationId: "101", address: "10.0.0.1", port: 161 };
const key = () => randomBytes(32).toString("base64");

function reasonOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (err) {
    return err instanceof CredentialSealError ? err.reason : `other: ${String(err)}`;
  }
  return undefined;
}

/** A value in the format written before binding and key ids existed. */
function sealV1(keyValue: string, value: unknown): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", Buffer.from(keyValue, "base64"), iv);
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return Buffer.concat([Buffer.from([1]), iv, cipher.getAuthTag(), body]);
}

describe("credential sealer", () => {
  it("round-trips JSON, never stores the plaintext, carries its key id", () => {
    const sealer = createCredentialSealer(key());
    const sealed = sealer.seal(creds, device);
    expect(sealed[0]).toBe(2);
    expect(sealed.subarray(2, 2 + (sealed[1] ?? 0)).toString()).toBe("default");
    expect(sealed.toString("utf8")).not.toContain("s3cret");
    expect(sealer.open(sealed, device)).toEqual(creds);
    expect(sealer.seal(creds, device).equals(sealed)).toBe(false);
  });

  it("opens a ciphertext only for the device it was sealed for", () => {
    const sealer = createCredentialSealer(key());
    const sealed = sealer.seal(creds, device);
    for (const other of [
      { ...device, deviceId: "43" },
      { ...device, organizationId: "102" },
      { ...device, address: "203.0.113.9" },
      { ...device, port: 1161 },
      { ...device, port: null },
    ]) {
      expect(reasonOf(() => sealer.open(sealed, other))).toBe("not_bound");
    }
    expect(() => sealer.open(sealed, { ...device, deviceId: "43" })).toThrow(/do not belong to this device/);
  });

  it("accepts a hex key and refuses another key or tampered data", () => {
    const sealer = createCredentialSealer(randomBytes(32).toString("hex"));
    const sealed = sealer.seal(creds, device);
    expect(reasonOf(() => createCredentialSealer(key()).open(sealed, device))).toBe("not_bound");
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(reasonOf(() => sealer.open(tampered, device))).toBe("not_bound");
    expect(reasonOf(() => sealer.open(Buffer.from([9, 1, 2]), device))).toBe("unknown_format");
  });

  it("seals with the first of several keys and opens with any; an unknown key id is named", () => {
    const [k1, k2] = [key(), key()];
    const old = createCredentialSealer(undefined, `k1:${k1}`);
    const both = createCredentialSealer(undefined, `k2:${k2},k1:${k1}`);
    const underK1 = old.seal(creds, device);
    expect(both.sealingKeyId).toBe("k2");
    expect(both.open(underK1, device)).toEqual(creds);
    expect(both.isCurrent(underK1)).toBe(false);
    const underK2 = both.seal(creds, device);
    expect(both.isCurrent(underK2)).toBe(true);
    expect(reasonOf(() => old.open(underK2, device))).toBe("unknown_key");
    expect(() => old.open(underK2, device)).toThrow(/key id "k2"/);
  });

  it("keeps CREDENTIAL_KEY working beside CREDENTIAL_KEYS (id default, held last)", () => {
    const [k1, k2] = [key(), key()];
    const single = createCredentialSealer(k1);
    const sealed = single.seal(creds, device);
    const rotating = createCredentialSealer(k1, `k2:${k2}`);
    expect(rotating.sealingKeyId).toBe("k2");
    expect(rotating.open(sealed, device)).toEqual(creds);
  });

  it("still opens the unbound format 1 written before, with any held key, and flags it for rotation", () => {
    const [k1, k2] = [key(), key()];
    const legacy = sealV1(k1, creds);
    const sealer = createCredentialSealer(undefined, `k2:${k2},k1:${k1}`);
    expect(sealer.open(legacy, device)).toEqual(creds);
    expect(sealer.isCurrent(legacy)).toBe(false);
    expect(reasonOf(() => createCredentialSealer(k2).open(legacy, device))).toBe("unknown_key");
  });

  it("explains a missing, malformed or wrong-sized key", () => {
    expect(() => createCredentialSealer(undefined)).toThrow(CredentialKeyError);
    expect(() => createCredentialSealer(undefined)).toThrow(/CREDENTIAL_KEY is set/);
    expect(() => createCredentialSealer(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
    expect(() => createCredentialSealer(undefined, `k1:${key()},k1:${key()}`)).toThrow(/given twice/);
    expect(() => createCredentialSealer(undefined, `${key()}`)).toThrow(/id:key/);
    expect(() => createCredentialSealerFromKeys(parseCredentialKeys(undefined, key()))).not.toThrow();
  });
});
