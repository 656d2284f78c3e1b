import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { join } from "node:path";
import { repoRoot } from "@headless-ops/testkit";
import { type Browser, chromium, type Page } from "playwright-core";

/** Debian's chromium (`.ci/run` installs it when missing); playwright-core downloads no browser. */
export const CHROMIUM = "/usr/bin/chromium";

/** Screenshots of a run land here (git-ignored). */
export const OUTPUT_DIR = join(repoRoot, "tests/e2e/output");

export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: apt-get install -y chromium`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ["--no-sandbox", "--disable-background-networking", "--disable-dev-shm-usage"],
  });
}

export async function screenshot(page: Page, name: string): Promise<string> {
  await mkdir(OUTPUT_DIR, { recursive: true });
  const path = join(OUTPUT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Opens the dashboard and signs in with `token` through the form, as a person would. */
export async function signIn(page: Page, baseUrl: string, token: string): Promise<void> {
  await page.goto(`${baseUrl}/ui/`);
  await page.fill("#token", token);
  await page.click("button[type=submit]");
  await page.waitForSelector("nav.nav", { timeout: 10_000 });
}
