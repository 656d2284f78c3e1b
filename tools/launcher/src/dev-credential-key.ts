import { randomBytes } from "node:crypto";
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * A credential key for local runs when CREDENTIAL_KEY is not set: made once, kept in
 * `.headless-ops/credential.key` (git-ignored, mode 600), so devices sealed by one `npm start`
 * can still be opened by the next. Production sets CREDENTIAL_KEY from a secret instead.
 */
export function devCredentialKey(root: string): { key: string; path: string; created: boolean } {
  const dir = join(root, ".headless-ops");
  const path = join(dir, "credential.key");
  if (existsSync(path)) return { key: readFileSync(path, "utf8").trim(), path, created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const key = randomBytes(32).toString("base64");
  writeFileSync(path, `${key}\n`, { mode: 0o600 });
  chmodSync(path, 0o600);
  return { key, path, created: true };
}
