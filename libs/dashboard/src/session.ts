/*
 * The API token of this browser tab. sessionStorage only: it is gone when the tab closes, is never
 * put in a URL (so never in an access log or a Referer) and never in a cookie (so no CSRF).
 */
const KEY = "headless-ops.token";

export function storedToken(): string | undefined {
  return sessionStorage.getItem(KEY) ?? undefined;
}

export function storeToken(token: string): void {
  sessionStorage.setItem(KEY, token);
}

export function forgetToken(): void {
  sessionStorage.removeItem(KEY);
}
