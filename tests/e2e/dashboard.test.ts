import { readFile } from "node:fs/promises";
import { runScript } from "@headless-ops/testkit";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ApiClient } from "./support/api-client.js";
import { launchChromium, screenshot, signIn } from "./support/browser.js";
import { seedDevices, seedOrganizations } from "./support/fleet.js";
import { type Stack, startStack } from "./support/stack.js";

/*
 * The dashboard in a real browser (Debian's chromium through playwright-core) against the services
 * as processes: sign in with a token, start an operation from the form and watch its progress bar
 * reach 100 % from the live stream without a reload, find the failed devices in the failures table,
 * cancel a slow operation and see it end cancelled, download an operation's CSV report (fetched with
 * the token in a header, saved from a blob), list the seeded schedules and compliance baselines, and
 * check that a viewer is offered no writes. Screenshots of every page go to tests/e2e/output/.
 */

const FAST = 401; // 60 devices that answer in 60 ms, and 3 that always fail authentication
const SLOW = 402; // 200 devices of 250 ms: long enough to cancel mid-way

async function tokenFor(stack: Stack, role: "viewer" | "operator", orgs: number[]): Promise<string> {
  const res = await runScript({
    script: "services/api/dist/admin.js",
    args: ["token", "create", ...orgs.flatMap((o) => ["--org", String(o)]), "--role", role, "--name", role],
    env: stack.ctx.env,
  });
  const token = res.stdout.trim().split("\n").pop()?.trim();
  if (res.code !== 0 || !token) throw new Error(`token create failed: ${res.stdout}${res.stderr}`);
  return token;
}

/** Every progress value the page shows, sampled in the page itself, so a jump straight to 100 shows. */
async function recordProgress(page: Page): Promise<void> {
  // Runs in the page (a string: the tests are typed without the DOM library).
  await page.evaluate(`
    window.seen = [];
    window.signedInOnce = true; // gone if the page ever reloads
    setInterval(() => {
      const bar = document.querySelector("main [role=progressbar]");
      const v = Number(bar?.getAttribute("aria-valuenow"));
      if (bar && window.seen[window.seen.length - 1] !== v) window.seen.push(v);
    }, 25);
  `);
}

/** The page's progress value, polled from the test (the page's CSP refuses evaluated strings). */
async function waitForProgress(page: Page, atLeast: number, timeoutMs: number): Promise<void> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = Number(await page.getAttribute("main [role=progressbar]", "aria-valuenow"));
    if (value >= atLeast) return;
    if (Date.now() > until) throw new Error(`progress stayed at ${value}, below ${atLeast}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
/** Waits for the pager to count `rows` rows (a locator: the page's CSP refuses string evaluation). */
const pagerShows = (page: Page, rows: number) =>
  page.locator(".pager", { hasText: new RegExp(`· ${rows} rows`) }).waitFor({ timeout: 10_000 });

describe.sequential("the dashboard in a browser", () => {
  let stack: Stack;
  let api: ApiClient;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let baseUrl: string;
  let finishedId: string;
  let scheduleId: string;
  let baselineId: string;
  const urls: string[] = [];

  beforeAll(async () => {
    stack = await startStack({
      probers: 1,
      env: {
        PROBER_CONCURRENCY: "4",
        FANOUT_BATCH_SIZE: "5",
        SCHEDULER_SWEEP_MS: "500",
        PROBE_MAX_ATTEMPTS: "1",
      },
    });
    await seedOrganizations(stack.db.pool, [FAST, SLOW]);
    await seedDevices(stack.db.pool, { organization: FAST, label: "ok", count: 60, sim: { latency_ms: 60 } });
    await seedDevices(stack.db.pool, {
      organization: FAST,
      label: "bad",
      count: 3,
      sim: { latency_ms: 10, fail_rate: 1, fail_code: "authentication_failures" },
    });
    await seedDevices(stack.db.pool, {
      organization: SLOW,
      label: "slow",
      count: 200,
      sim: { latency_ms: 250 },
    });
    api = await stack.client([FAST, SLOW]);
    // What the demo seeds: a nightly schedule and a firmware baseline (their API has its own tests).
    const schedule = await api.call<{ id: string }>("POST", "/api/v1/schedules/", {
      operation_type: "compliance_report",
      target_organizations: [FAST],
      cron: "0 2 * * *",
      timezone: "Europe/Zurich",
    });
    if (schedule.status !== 201) throw new Error(`POST schedule: ${JSON.stringify(schedule.body)}`);
    scheduleId = schedule.body.id;
    const baseline = await api.call<{ id: string }>("POST", "/api/v1/compliance/baselines/", {
      organization_id: FAST,
      vendor: "Cisco",
      model_pattern: "C9300-*",
      min_firmware: "17.12.3",
      serial_required: true,
    });
    if (baseline.status !== 201) throw new Error(`POST baseline: ${JSON.stringify(baseline.body)}`);
    baselineId = baseline.body.id;
    baseUrl = stack.group.get("api").url;
    browser = await launchChromium();
    context = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    page = await context.newPage();
    page.on("request", (req) => urls.push(req.url()));
  });

  afterAll(async () => {
    await browser?.close();
    await stack?.stop();
  });

  it("signs in with a token kept in session storage, never in a URL", async () => {
    await page.goto(`${baseUrl}/ui/`);
    await screenshot(page, "0-sign-in");
    await signIn(page, baseUrl, api.token);
    expect(await page.textContent(".who")).toContain("admin");
    expect(await page.evaluate(() => Object.values(sessionStorage))).toContain(api.token);
    await recordProgress(page);
  });

  it("starts an operation from the form and shows its progress reaching 100 % without a reload", async () => {
    await page.click("[data-action=new-operation]");
    await page.uncheck(`input[name=organization][value="${SLOW}"]`);
    await page.selectOption("select[name=operation_type]", "bulk_serial_sync");
    await page.click("[data-action=create-operation]");
    await page.waitForURL(/#\/operations\/\d+$/);
    finishedId = /#\/operations\/(\d+)$/.exec(page.url())?.[1] as string;
    await page.waitForSelector('main [role=progressbar][aria-valuenow="100"]', { timeout: 45_000 });
    await page.waitForSelector('main h2 .badge[data-status="completed_with_errors"]', { timeout: 10_000 });
    const { seen, signedInOnce } = (await page.evaluate(
      "({ seen: window.seen, signedInOnce: window.signedInOnce })",
    )) as {
      seen: number[];
      signedInOnce: boolean | undefined;
    };
    expect(signedInOnce, "the page reloaded").toBe(true);
    expect(seen[seen.length - 1]).toBe(100);
    expect(
      seen.some((v) => v > 0 && v < 100),
      `progress seen: ${seen.join(",")}`,
    ).toBe(true);
    const op = await api.operation(finishedId);
    expect(op).toMatchObject({ status: "completed_with_errors", processed_devices: 63, failed_devices: 3 });
    expect(await page.textContent("[data-field=processed]")).toContain("63 of 63 processed, 3 failed");
  });

  it("shows the errors by code and the failed devices with their codes and messages", async () => {
    await page.waitForSelector("[aria-label='failed devices'] tbody tr", { timeout: 10_000 });
    const rows = await page.$$eval("[aria-label='failed devices'] tbody tr", (trs) =>
      trs.map((tr) => ({
        hostname: tr.children[1]?.textContent,
        code: tr.querySelector("[data-error-code]")?.getAttribute("data-error-code"),
        message: tr.children[3]?.textContent,
      })),
    );
    expect(rows).toHaveLength(3);
    for (const row of rows) {
      expect(row.hostname).toMatch(/^bad-\d+$/);
      expect(row.code).toBe("authentication_failures");
      expect(row.message).not.toBe("—");
    }
    expect(
      await page.textContent("svg[aria-label='errors by code'] [data-code=authentication_failures]"),
    ).toContain("3");
    expect(await page.isVisible("[data-action=retry]")).toBe(true);
    await screenshot(page, "2-operation");
  });

  it("downloads the operation's report as CSV, one row per device", async () => {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.click("[data-action=download-csv]"),
    ]);
    expect(download.suggestedFilename()).toBe(`operation-${finishedId}.csv`);
    const csv = await readFile(await download.path(), "utf8");
    const lines = csv.trimEnd().split("\r\n");
    expect(lines[0]).toMatch(/^organization_id,organization,device_id,hostname,device_type,/);
    expect(lines).toHaveLength(1 + 63);
    expect(lines.filter((l) => l.includes(",authentication_failures,"))).toHaveLength(3);
    expect(lines.slice(1).every((l) => l.startsWith(`${FAST},`))).toBe(true);
    expect(download.url()).toMatch(/^blob:/);
  });

  it("shows a compliance report's verdict counts when the API gives them, and nothing when not", async () => {
    const created = await api.createOperation({
      operation_type: "compliance_report",
      target_organizations: [FAST],
    });
    await page.evaluate(`window.location.hash = "#/operations/${created.id}"`);
    await page.waitForSelector('main [role=progressbar][aria-valuenow="100"]', { timeout: 45_000 });
    const op = (await api.pollOperation(created.id, (o) => o.progress === 100)) as {
      operation_details: object;
    };
    const summary = (op.operation_details as { compliance_summary?: Record<string, number> | null })
      .compliance_summary;
    if (summary) {
      // The summary may land with the last fold; the page follows the stream.
      for (const verdict of ["compliant", "non_compliant", "unknown"]) {
        await page.waitForSelector(`[data-verdict=${verdict}] .verdict-count`, { timeout: 10_000 });
      }
      const final = await api.operation(created.id);
      const counts = (final.operation_details as unknown as { compliance_summary: Record<string, number> })
        .compliance_summary;
      for (const [verdict, n] of Object.entries(counts)) {
        await page
          .locator(`[data-verdict=${verdict}] .verdict-count`, { hasText: new RegExp(`^${n}$`) })
          .waitFor({ timeout: 10_000 });
      }
    } else {
      expect(await page.$("[aria-label='compliance verdicts']")).toBeNull();
    }
    await screenshot(page, "2b-compliance-operation");
  });

  it("cancels a running operation and shows it end cancelled", async () => {
    const created = await api.createOperation({
      operation_type: "status_refresh",
      target_organizations: [SLOW],
    });
    await page.evaluate(`window.location.hash = "#/operations/${created.id}"`);
    await page.waitForSelector('main h2 .badge[data-status="in_progress"]', { timeout: 20_000 });
    await waitForProgress(page, 1, 20_000);
    await page.click("[data-action=cancel]");
    await page.waitForSelector('main h2 .badge[data-status="cancelled"]', { timeout: 30_000 });
    expect(await page.isVisible("[data-action=cancel]")).toBe(false);
    const op = await api.operation(created.id);
    expect(op.status).toBe("cancelled");
    expect(op.processed_devices).toBe(200);
    await screenshot(page, "3-cancelled");
  });

  it("lists the operations live with status, type, organizations and progress", async () => {
    await page.click("nav a[href='#/operations']");
    await page.waitForSelector(`tr[data-operation-id="${finishedId}"]`);
    await page.waitForSelector(".live[data-state=live]", { timeout: 10_000 });
    const row = await page.textContent(`tr[data-operation-id="${finishedId}"]`);
    expect(row).toContain("completed with errors");
    expect(row).toContain("bulk serial sync");
    expect(row).toContain(String(FAST));
    expect(await page.$$eval("tbody tr .badge[data-status=cancelled]", (b) => b.length)).toBe(1);
    await screenshot(page, "1-operations");
  });

  it("shows the devices inventory with filters", async () => {
    await page.click("nav a[href='#/devices']");
    await page.waitForSelector("[aria-label=devices] tbody tr");
    expect(await page.textContent(".pager")).toContain("263 rows");
    await page.selectOption("select[name=organization_id]", String(FAST));
    await pagerShows(page, 63);
    await page.selectOption("select[name=device_type]", "router");
    const routers = await stack.db.pool.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM devices WHERE organization_id = $1 AND device_type = 'router'",
      [FAST],
    );
    const n = routers.rows[0]?.n as number;
    await pagerShows(page, n);
    const types = await page.$$eval("[aria-label=devices] tbody tr", (trs) =>
      trs.map((tr) => tr.children[3]?.textContent),
    );
    expect(types.length).toBe(n);
    expect(new Set(types)).toEqual(new Set(["router"]));
    await screenshot(page, "4-devices");
  });

  it("lists the schedules with cron, its description, time zone, enabled and next run", async () => {
    await page.click("nav a[href='#/schedules']");
    const row = page.locator(`tr[data-schedule-id="${scheduleId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await row.locator("[data-field=cron]").textContent()).toBe("0 2 * * *");
    expect(await row.locator("[data-field=cron-description]").textContent()).toMatch(/02:00/);
    expect(await row.locator("[data-field=timezone]").textContent()).toBe("Europe/Zurich");
    expect(await row.locator("[data-field=enabled]").textContent()).toBe("yes");
    expect(await row.locator("[data-field=next-run]").textContent()).toMatch(
      /^\d{4}-\d{2}-\d{2} \d{2}:00:00$/,
    );
    expect(await row.locator("[data-field=last-run]").textContent()).toBe("—");
    expect(await row.textContent()).toContain("compliance report");
    await row.locator("[data-action=toggle-schedule]").click();
    await row.locator("[data-field=enabled]", { hasText: "paused" }).waitFor({ timeout: 10_000 });
    await row.locator("[data-action=toggle-schedule]").click();
    await row.locator("[data-field=enabled]", { hasText: "yes" }).waitFor({ timeout: 10_000 });
    await screenshot(page, "6-schedules");
  });

  it("lists the compliance baselines by organization", async () => {
    await page.click("nav a[href='#/baselines']");
    const group = page.locator(`[data-organization-id="${FAST}"]`);
    const row = group.locator(`tr[data-baseline-id="${baselineId}"]`);
    await row.waitFor({ timeout: 10_000 });
    expect(await group.locator("h3").textContent()).toBe(`Organization ${FAST}`);
    expect(await row.locator("[data-field=vendor]").textContent()).toBe("Cisco");
    expect(await row.locator("[data-field=model-pattern]").textContent()).toBe("C9300-*");
    expect(await row.locator("[data-field=firmware]").textContent()).toBe(">= 17.12.3");
    expect(await row.textContent()).toContain("serial present");
    expect(await row.locator("[data-action=delete-baseline]").isVisible()).toBe(true);
    await screenshot(page, "7-baselines");
  });

  it("sent the token only in headers: no request URL carries it", () => {
    expect(urls.length).toBeGreaterThan(5);
    expect(urls.filter((u) => u.includes(api.token))).toEqual([]);
  });

  it("offers a viewer no write buttons", async () => {
    const viewerContext = await browser.newContext({ viewport: { width: 1280, height: 820 } });
    const viewer = await viewerContext.newPage();
    await signIn(viewer, baseUrl, await tokenFor(stack, "viewer", [FAST, SLOW]));
    expect(await viewer.textContent(".who")).toContain("viewer");
    await viewer.waitForSelector(`tr[data-operation-id="${finishedId}"]`);
    expect(await viewer.$("[data-action=new-operation]")).toBeNull();
    await viewer.click(`tr[data-operation-id="${finishedId}"] a`);
    await viewer.waitForSelector("[aria-label='failed devices'] tbody tr");
    expect(await viewer.$("[data-action=retry]")).toBeNull();
    expect(await viewer.$("[data-action=cancel]")).toBeNull();
    expect(await viewer.isVisible("[data-action=download-csv]")).toBe(true);
    await screenshot(viewer, "5-viewer-operation");
    await viewer.click("nav a[href='#/schedules']");
    await viewer.waitForSelector(`tr[data-schedule-id="${scheduleId}"]`);
    expect(await viewer.$("[data-action=toggle-schedule]")).toBeNull();
    expect(await viewer.$("[data-action=delete-schedule]")).toBeNull();
    await viewer.click("nav a[href='#/baselines']");
    await viewer.waitForSelector(`tr[data-baseline-id="${baselineId}"]`);
    expect(await viewer.$("[data-action=delete-baseline]")).toBeNull();
    await viewerContext.close();
  });
});
