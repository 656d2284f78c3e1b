import { connectNats, jetstream, jetstreamManager, publishJson } from "@headless-ops/bus";
import { natsNames, OperationCreated } from "@headless-ops/contracts";
import { createLogger } from "@headless-ops/runtime";
import { runScript, TestNatsServer } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ApiClient } from "../e2e/support/api-client.js";
import { createOperation, type Fleet, seedFleet } from "./support/fleet.js";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { recordResult } from "./support/results.js";
import { type FaultStack, faultEnv, startFaultStack } from "./support/stack.js";
import { auditOperation, expectedAudit, resultCopies, waitFinished } from "./support/verify.js";

/*
 * Scenario 7: NATS is down while operations are created, and the API crashes (kill -9) between
 * commit and publish, with every `operation.created` still in its outbox. POSTs answer 201 all
 * the same. One more operation is committed straight in SQL, its event already published once (a
 * relay that published, then crashed before marking the row sent). When NATS and a new API come
 * back, each event reaches the OPERATIONS stream exactly once, and every operation runs to the end.
 */
const profile = faultProfile();
const PROBERS = 2;
const API_OPERATIONS = 4;

describe("faults: API crash between commit and publish, NATS down during POSTs", () => {
  let nats: TestNatsServer;
  let stack: FaultStack;
  const fleets: Fleet[] = [];

  beforeAll(async () => {
    nats = await TestNatsServer.start();
    stack = await startFaultStack({
      natsUrl: nats.url,
      env: faultEnv(profile, proberConcurrency(profile, PROBERS)),
    });
    const per = Math.floor(profile.devices / (API_OPERATIONS + 1));
    for (let i = 0; i <= API_OPERATIONS; i++) {
      fleets.push(
        await seedFleet(stack.db.pool, { organization: 701 + i, devices: per, latencyMs: profile.latencyMs }),
      );
    }
  });

  afterAll(async () => {
    try {
      await stack?.stop();
    } finally {
      await nats?.stop();
    }
  });

  it(
    "answers 201 without NATS and publishes each operation.created exactly once",
    async () => {
      const started = performance.now();
      const tally = { lost: 0, duplicated: 0, redelivered: 0 };
      let passed = false;
      try {
        const api = await stack.start("api", "api-0");
        const orgs = fleets.map((f) => f.organization);
        const token = await runScript({
          script: "services/api/dist/admin.js",
          args: [
            "token",
            "create",
            ...orgs.flatMap((o) => ["--org", String(o)]),
            "--role",
            "admin",
            "--name",
            "faults",
          ],
          env: stack.env,
        });
        const secret = token.stdout.trim().split("\n").pop()?.trim() ?? "";
        expect(token.code, token.stderr).toBe(0);
        const client = new ApiClient(api.url, secret);

        // NATS goes away; the API keeps taking operations.
        await nats.down();
        const ids: string[] = [];
        for (const fleet of fleets.slice(0, API_OPERATIONS)) {
          const created = await client.createOperation({
            operation_type: "bulk_serial_sync",
            target_organizations: [fleet.organization],
            device_filters: { status: ["active"] },
            schedule: { execute_at: new Date(Date.now() + 1_000).toISOString(), priority: "normal" },
            options: { update_firmware_info: true, timeout_minutes: 30 },
          });
          ids.push(created.id);
        }
        // Crash with every event still unsent.
        await api.kill();
        const unsent = await stack.db.pool.query<{ n: number }>(
          "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL",
        );
        expect(unsent.rows[0]?.n).toBe(API_OPERATIONS);

        // One more committed as the API would, whose event a previous relay already published.
        const last = fleets[API_OPERATIONS] as Fleet;
        const sqlId = await createOperation(stack.db.pool, {
          organization: last.organization,
          natsPrefix: stack.natsPrefix,
        });
        ids.push(sqlId);
        await nats.restart();
        const log = createLogger("faults", { LOG_LEVEL: "warn", LOG_PRETTY: false });
        const nc = await connectNats({ url: nats.url, name: "faults", log });
        const names = natsNames(stack.natsPrefix);
        try {
          const row = await stack.db.pool.query<{ payload: unknown; msg_id: string }>(
            "SELECT payload, msg_id FROM outbox WHERE payload->>'operation_id' = $1",
            [sqlId],
          );
          const { payload, msg_id } = row.rows[0] as { payload: unknown; msg_id: string };
          await publishJson(jetstream(nc), names.subjects.operationCreated, payload, msg_id);

          // Everything comes back: a new API (its relay), the pipeline.
          await Promise.all([
            stack.start("api", "api-1"),
            stack.start("scheduler", "scheduler"),
            stack.start("aggregator", "aggregator"),
            ...Array.from({ length: PROBERS }, (_, i) => stack.start("prober", `prober-${i}`)),
          ]);
          for (const id of ids) await waitFinished(stack.db.pool, id, 180_000);

          // The outbox drains: operation.created and the lifecycle events (started, milestones,
          // finished) the operations wrote on their way, the last ones just now.
          const unsentNow = async () =>
            (
              await stack.db.pool.query<{ n: number }>(
                "SELECT count(*)::int AS n FROM outbox WHERE sent_at IS NULL",
              )
            ).rows[0]?.n;
          const drainBy = Date.now() + 30_000;
          while ((await unsentNow()) !== 0 && Date.now() < drainBy)
            await new Promise((r) => setTimeout(r, 200));
          expect(await unsentNow()).toBe(0);
          // Exactly one operation.created per operation in the stream.
          const jsm = await jetstreamManager(nc);
          const { state } = await jsm.streams.info(names.streams.operations);
          const perOperation = new Map<string, number>();
          for (let seq = state.first_seq; state.messages > 0 && seq <= state.last_seq; seq++) {
            const msg = await jsm.streams.getMessage(names.streams.operations, { seq });
            // The stream also holds the lifecycle events: count operation.created only.
            if (msg?.subject !== names.subjects.operationCreated) continue;
            const event = OperationCreated.parse(msg.json());
            perOperation.set(event.operation_id, (perOperation.get(event.operation_id) ?? 0) + 1);
          }
          expect(Object.fromEntries(perOperation)).toEqual(Object.fromEntries(ids.map((id) => [id, 1])));
        } finally {
          await nc.close();
        }

        for (const [i, id] of ids.entries()) {
          const fleet = fleets[i] as Fleet;
          const audit = await auditOperation(stack.db.pool, id, fleet);
          audit.redelivered = (await resultCopies(stack.natsUrl, stack.natsPrefix, id)).extra;
          tally.lost += audit.lost;
          tally.duplicated += audit.duplicated;
          tally.redelivered += audit.redelivered;
          const expected = expectedAudit(fleet);
          const subset = Object.fromEntries(
            Object.keys(expected).map((k) => [k, audit[k as keyof typeof audit]]),
          );
          expect(subset).toEqual(expected);
        }
        passed = true;
      } finally {
        recordResult({
          scenario: "7-api-outbox",
          title: "NATS down during POSTs, API kill -9 between commit and publish, one event pre-published",
          profile: profile.name,
          devices: fleets.reduce((a, f) => a + f.devices, 0),
          faults: `NATS down for ${API_OPERATIONS} POSTs (all 201), kill -9 API before publish, 1 event published twice`,
          faultCount: 3,
          ...tally,
          seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
          passed,
        });
      }
    },
    scenarioTimeoutMs(profile),
  );
});
