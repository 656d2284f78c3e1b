import { randomBytes } from "node:crypto";
import { connectNats, jetstream } from "@headless-ops/bus";
import { createCredentialSealer, createLogger, webhookSecretBinding } from "@headless-ops/runtime";
import { waitFor } from "@headless-ops/testkit";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startReceiver } from "../../services/notifier/test/receiver.js";
import { faultProfile } from "./support/profile.js";
import { recordResult } from "./support/results.js";
import { type FaultStack, startFaultStack } from "./support/stack.js";

/*
 * Scenario 9: the notifier is killed with SIGKILL twice while it delivers a few hundred webhooks, and
 * restarted. Deliveries it had leased come due again when the lease runs out and are sent again under
 * the same webhook-id: every webhook arrives at least once, and a receiver de-duplicating by
 * webhook-id sees each exactly once. Small on purpose (HTTP on loopback, not the device pipeline).
 */
const profile = faultProfile();
const EVENTS = 100;
const HOOKS = 3;
const CREDENTIAL_KEY = randomBytes(32).toString("base64");

describe("faults: kill -9 the notifier mid-delivery", () => {
  let stack: FaultStack;
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  const secrets: string[] = [];

  beforeAll(async () => {
    // Each answer takes a while, so deliveries are in flight when the kill lands.
    receiver = await startReceiver({}, 30);
    stack = await startFaultStack({
      env: {
        LOG_LEVEL: "warn",
        CREDENTIAL_KEY,
        ALLOW_LOOPBACK: "true",
        NOTIFIER_CONCURRENCY: "4",
        NOTIFIER_TIMEOUT_MS: "1000",
        NOTIFIER_POLL_MS: "100",
        NOTIFIER_RETRY_BASE_MS: "100",
        NOTIFIER_RETRY_MAX_MS: "500",
      },
    });
    const sealer = createCredentialSealer(CREDENTIAL_KEY);
    await stack.db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme')");
    for (let i = 0; i < HOOKS; i++) {
      const secret = `whsec_${randomBytes(32).toString("base64")}`;
      const id = (
        await stack.db.pool.query<{ id: string }>(
          "SELECT nextval(pg_get_serial_sequence('webhooks', 'id'))::text AS id",
        )
      ).rows[0]?.id as string;
      await stack.db.pool.query(
        `INSERT INTO webhooks (id, organization_id, url, events, secret_sealed)
         VALUES ($1, 101, $2, '{operation.finished}', $3)`,
        [id, receiver.url(`/hook-${i}`), sealer.seal(secret, webhookSecretBinding(id, 101))],
      );
      secrets.push(secret);
    }
  });

  afterAll(async () => {
    await stack?.stop();
    await receiver?.close();
  });

  it("delivers every webhook at least once; receivers de-duplicate by webhook-id", async () => {
    const started = Date.now();
    await stack.start("notifier", "notifier-0");
    const nc = await connectNats({
      url: stack.natsUrl,
      name: "faults-publisher",
      log: createLogger("faults", { LOG_LEVEL: "warn", LOG_PRETTY: false }),
    });
    const js = jetstream(nc);
    const subject = `${stack.natsPrefix ? `${stack.natsPrefix}.` : ""}ops.operation.finished`;
    for (let op = 1; op <= EVENTS; op++) {
      const event = {
        v: 1,
        operation_id: String(op),
        status: "completed",
        organization_ids: ["101"],
        operation_type: "status_refresh",
        total_devices: 1,
        processed_devices: 1,
        failed_devices: 0,
        error_summary: {},
        finished_at: new Date().toISOString(),
      };
      await js.publish(subject, JSON.stringify(event), { msgID: `op-${op}-finished` });
    }
    await nc.close();
    const total = EVENTS * HOOKS;
    const kills = 2;
    for (let i = 0; i < kills; i++) {
      await waitFor(() => (receiver.received.length >= (total * (i + 1)) / (kills + 2) ? true : undefined), {
        timeoutMs: 60_000,
        intervalMs: 10,
      });
      const [notifier] = stack.running("notifier-");
      await notifier?.kill();
      await stack.start("notifier", `notifier-${i + 1}`);
    }
    const distinct = () => new Set(receiver.received.map((r) => r.headers["webhook-id"]));
    await waitFor(() => (distinct().size >= total ? true : undefined), {
      timeoutMs: 120_000,
      intervalMs: 100,
    });
    await waitFor(
      async () => {
        const res = await stack.db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM webhook_deliveries WHERE status <> 'succeeded'",
        );
        return res.rows[0]?.n === 0 ? true : undefined;
      },
      { timeoutMs: 60_000 },
    );
    // Every copy verifies with its webhook's secret; copies of one webhook-id carry the same body.
    const bodies = new Map<string, string>();
    for (const r of receiver.received) {
      const hook = Number(/^\/hook-(\d+)$/.exec(r.path)?.[1]);
      new Webhook(secrets[hook] as string).verify(r.body, r.headers as Record<string, string>);
      const id = r.headers["webhook-id"] as string;
      expect(bodies.get(id) ?? r.body).toBe(r.body);
      bodies.set(id, r.body);
    }
    const lost = total - distinct().size;
    const redelivered = receiver.received.length - distinct().size;
    const passed = lost === 0 && distinct().size === total;
    recordResult({
      scenario: "9-notifier-kill",
      title: "kill -9 the notifier twice mid-delivery (webhooks)",
      profile: profile.name,
      devices: total,
      faults: `${kills} × kill -9 notifier`,
      faultCount: kills,
      lost,
      duplicated: 0,
      redelivered,
      seconds: Math.round((Date.now() - started) / 100) / 10,
      passed,
    });
    expect(lost).toBe(0);
    expect(stack.running("notifier-")).toHaveLength(1);
  }, 240_000);
});
