import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A credential key for local runs when CREDENTIAL_KEY is not set: made once, kept in
 * `<dir>/credential.key` (`.headless-ops/` by default, git-ignored; mode 600), beside the embedded
 * database whose devices it seals, so devices sealed by one `npm start` can still be opened by the
 * next. Production sets CREDENTIAL_KEY from a secret instead.
 */
export function devCredentialKey(dir: string): { key: string; path: string; created: boolean } {
  const path = join(dir, "credential.key");
  if (existsSync(path)) return { key: readFileSync(path, "utf8").trim(), path, created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString("base64");
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, path, created: true };
}
