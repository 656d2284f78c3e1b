import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CredentialKeyError, parseCredentialKey, parseCredentialKeys } from "./credential-keys.js";

const root = fileURLToPath(new URL("../../..", import.meta.url));

/** Every literal value given to CREDENTIAL_KEY or CREDENTIAL_KEYS in a committed file. */
function committedKeyValues(): string[] {
  const files = execFileSync("git", ["ls-files"], { cwd: root, encoding: "utf8" })
    .split("\n")
    .filter((f) => f && !f.endsWith("package-lock.json") && !/\.(png|jpg|ico|gz)$/.test(f));
  const values: string[] = [];
  for (const file of files) {
    let text: string;
    try {
      text = readFileSync(join(root, file), "utf8");
    } catch {
      continue;
    }
    for (const m of text.matchAll(/CREDENTIAL_KEYS?["']?\s*[:=]\s*["']?([A-Za-z0-9+/=:,._-]{40,})/g)) {
      values.push(m[1] as string);
    }
  }
  return values;
}

describe("credential keys in production", () => {
  it("refuses to run without a key", () => {
    expect(() => parseCredentialKeys(undefined, undefined, { production: true })).toThrow(CredentialKeyError);
  });

  it("refuses keys whose bytes are all equal, by variable", () => {
    expect(() => parseCredentialKeys(undefined, "ab".repeat(32), { production: true })).toThrow(
      /CREDENTIAL_KEY is refused with NODE_ENV=production: all its bytes are equal/,
    );
    const weak = Buffer.alloc(32, 7).toString("base64");
    expect(() =>
      parseCredentialKeys(`k2:${randomBytes(32).toString("base64")},k1:${weak}`, undefined, {
        production: true,
      }),
    ).toThrow(/CREDENTIAL_KEYS key "k1" is refused/);
    expect(parseCredentialKeys(undefined, "ab".repeat(32))).toHaveLength(1); // development: allowed
  });

  it("refuses every example key committed anywhere in the repository", () => {
    const values = committedKeyValues();
    expect(values.length).toBeGreaterThan(0); // the compose file and the example Secret have one each
    for (const value of values) {
      const keys = value.includes(":") ? value : undefined;
      let key: Buffer | undefined;
      try {
        key = keys ? undefined : parseCredentialKey(value);
      } catch {
        continue; // not a key at all: cannot start anything
      }
      expect(
        () => parseCredentialKeys(keys, keys ? undefined : value, { production: true }),
        `committed key ${key?.toString("hex").slice(0, 8) ?? value.slice(0, 8)}… must be refused`,
      ).toThrow(/refused with NODE_ENV=production/);
    }
  });

  it("accepts a random key", () => {
    const keys = parseCredentialKeys(undefined, randomBytes(32).toString("hex"), { production: true });
    expect(keys.map((k) => k.id)).toEqual(["default"]);
  });
});
