import { randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { CredentialKeyError, CredentialSealError, createCredentialSealer } from "./credentials.js";

const creds = { version: "v2c", community: "s3cret-community" };

describe("credential sealer", () => {
  it("round-trips JSON and never stores the plaintext", () => {
    const sealer = createCredentialSealer(randomBytes(32).toString("base64"));
    const sealed = sealer.seal(creds);
    expect(sealed[0]).toBe(1);
    expect(sealed.toString("utf8")).not.toContain("s3cret");
    expect(sealer.open(sealed)).toEqual(creds);
    expect(sealer.seal(creds).equals(sealed)).toBe(false);
  });

  it("accepts a hex key and refuses another key or tampered data", () => {
    const sealer = createCredentialSealer(randomBytes(32).toString("hex"));
    const sealed = sealer.seal(creds);
    const other = createCredentialSealer(randomBytes(32).toString("base64"));
    expect(() => other.open(sealed)).toThrow(CredentialSealError);
    const tampered = Buffer.from(sealed);
    tampered[tampered.length - 1] = (tampered[tampered.length - 1] ?? 0) ^ 1;
    expect(() => sealer.open(tampered)).toThrow(CredentialSealError);
    expect(() => sealer.open(Buffer.from([9, 1, 2]))).toThrow(/unknown format/);
  });

  it("explains a missing or wrong-sized key", () => {
    expect(() => createCredentialSealer(undefined)).toThrow(CredentialKeyError);
    expect(() => createCredentialSealer(undefined)).toThrow(/CREDENTIAL_KEY is not set/);
    expect(() => createCredentialSealer(randomBytes(16).toString("base64"))).toThrow(/32 bytes/);
  });
});
