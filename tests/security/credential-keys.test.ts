import { randomBytes } from "node:crypto";
import { createTestContext, runScript, type TestContext } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/*
 * With NODE_ENV=production the api and the prober refuse to start without a credential key or with
 * an obviously weak one (all bytes equal, an example key committed in the repository), and say which
 * variable is wrong without printing it. Real processes: `npm run build` first.
 */

let ctx: TestContext;
beforeAll(async () => {
  ctx = await createTestContext();
});
afterAll(() => ctx?.cleanup());

const start = (service: "api" | "prober", env: Record<string, string>) =>
  runScript({
    script: `services/${service}/dist/main.js`,
    env: { ...ctx.env, NODE_ENV: "production", PORT: "0", METRICS_PORT: "0", HOST: "127.0.0.1", ...env },
    timeoutMs: 20_000,
  });

describe.each(["api", "prober"] as const)("%s in production", (service) => {
  it("refuses to start without CREDENTIAL_KEY or CREDENTIAL_KEYS", async () => {
    const out = await start(service, {});
    expect(out.code).toBe(1);
    expect(out.stdout + out.stderr).toContain("NODE_ENV=production needs CREDENTIAL_KEYS or CREDENTIAL_KEY");
  });

  it("refuses the example key from deploy/compose and a key of equal bytes", async () => {
    const example = "1".repeat(64);
    const compose = await start(service, { CREDENTIAL_KEY: example });
    expect(compose.code).toBe(1);
    expect(compose.stdout + compose.stderr).toContain("CREDENTIAL_KEY is refused with NODE_ENV=production");
    expect(compose.stdout + compose.stderr).not.toContain(example);
    const weak = Buffer.alloc(32, 0xa5).toString("base64");
    const rotated = await start(service, {
      CREDENTIAL_KEYS: `k2:${randomBytes(32).toString("base64")},k1:${weak}`,
    });
    expect(rotated.code).toBe(1);
    expect(rotated.stdout + rotated.stderr).toMatch(/CREDENTIAL_KEYS key \\?"k1\\?" is refused/);
    expect(rotated.stdout + rotated.stderr).not.toContain(weak);
  });
});
