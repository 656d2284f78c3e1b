import { connectNats, jetstream, jetstreamManager } from "@headless-ops/bus";
import { natsNames, priorities } from "@headless-ops/contracts";
import { createLogger } from "@headless-ops/runtime";
import { waitFor } from "@headless-ops/testkit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { faultProfile, proberConcurrency, scenarioTimeoutMs } from "./support/profile.js";
import { runOperationScenario, sleep } from "./support/scenario.js";
import { type FaultStack, faultEnv, startFaultStack } from "./support/stack.js";

/*
 * Scenario 8: poison. While an operation runs, malformed events are published onto every subject
 * (not JSON, valid JSON of the wrong shape, and a result that passes the schema but that Postgres
 * rejects); each is terminated once and logged, and nothing stops. The fleet's always-failing
 * devices include transient ones (connection_timeouts, fail_rate 1): retried with backoff up to
 * PROBE_MAX_ATTEMPTS, then recorded failed, while the rest finish on time.
 */
const profile = faultProfile();
const PROBERS = 2;
const MAX_ATTEMPTS = 3;
const BACKOFF_MS = 100;

describe("faults: poison messages and an always-failing device", () => {
  let stack: FaultStack;

  beforeAll(async () => {
    stack = await startFaultStack({
      env: {
        ...faultEnv(profile, proberConcurrency(profile, PROBERS)),
        PROBE_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
        PROBE_RETRY_BACKOFF_MS: String(BACKOFF_MS),
      },
    });
    await stack.startPipeline(PROBERS);
  });

  afterAll(async () => {
    await stack?.stop();
  });

  it(
    "terminates and logs each poison message once, retries the failing devices, finishes on time",
    async () => {
      const names = natsNames(stack.natsPrefix);
      const poison = [
        "{ not json",
        JSON.stringify({ v: 1, operation_id: "not-a-number", devices: "none" }),
        JSON.stringify({ v: 2, hello: "world" }),
      ];
      // Passes the result schema (numeric ids) but overflows bigint: Postgres rejects the fold.
      const overflow = JSON.stringify({
        v: 1,
        operation_id: "99999999999999999999",
        operation_type: "bulk_serial_sync",
        options: {},
        results: [
          {
            device_id: "1",
            outcome: "succeeded",
            attempts: 1,
            started_at: new Date().toISOString(),
            finished_at: new Date().toISOString(),
          },
        ],
      });
      const subjects = [
        names.subjects.operationCreated,
        ...priorities.map((p) => names.subjects.job(p)),
        names.subjects.result,
      ];
      const { audit, operationId } = await runOperationScenario({
        id: "8-poison",
        title: "poison on every subject; devices that always fail (transient) retried to the limit",
        profile,
        stack,
        inject: async () => {
          const nc = await connectNats({
            url: stack.natsUrl,
            name: "poison",
            log: createLogger("poison", { LOG_LEVEL: "warn", LOG_PRETTY: false }),
          });
          try {
            const js = jetstream(nc);
            const enc = new TextEncoder();
            let n = 0;
            for (const subject of subjects)
              for (const body of poison)
                await js.publish(subject, enc.encode(body), { msgID: `poison-${n++}` });
            await js.publish(names.subjects.result, enc.encode(overflow), { msgID: `poison-${n++}` });
            return { faults: `${n} poison messages on ${subjects.length} subjects`, count: n };
          } finally {
            await nc.close();
          }
        },
      });

      // Each poison message was logged exactly once: terminated, not redelivered.
      await sleep(2_000);
      const count = (prefix: string, msg: string) =>
        stack.group.processes
          .filter((p) => p.name.startsWith(prefix))
          .flatMap((p) => p.logs())
          .filter((r) => r.msg === msg).length;
      expect({
        scheduler: count("scheduler", "invalid event terminated"),
        probers: count("prober", "invalid job terminated"),
        aggregator: count("aggregator", "invalid result terminated"),
        rejectedByDatabase: count("aggregator", "result batch rejected by the database, terminated"),
      }).toEqual({
        scheduler: poison.length,
        probers: 3 * poison.length,
        aggregator: poison.length,
        rejectedByDatabase: 1,
      });
      const nc = await connectNats({
        url: stack.natsUrl,
        name: "poison-check",
        log: createLogger("poison", { LOG_LEVEL: "warn", LOG_PRETTY: false }),
      });
      try {
        const jsm = await jetstreamManager(nc);
        const consumers = [
          [names.streams.operations, names.consumers.scheduler],
          ...priorities.map((p) => [names.streams.deviceJobs, names.consumers.prober(p)]),
          [names.streams.deviceResults, names.consumers.aggregator],
        ] as const;
        for (const [stream, name] of consumers) {
          const info = await waitFor(
            async () => {
              const i = await jsm.consumers.info(stream, name);
              return i.num_ack_pending === 0 ? i : undefined;
            },
            { timeoutMs: 10_000, what: `${name} to have nothing pending` },
          );
          expect({ name, redelivered: info.num_redelivered }).toEqual({ name, redelivered: 0 });
        }
      } finally {
        await nc.close();
      }

      // The always-failing transient devices were tried MAX_ATTEMPTS times with backoff in between
      // (BACKOFF_MS + 2 × BACKOFF_MS at least); the permanent failures once.
      const failed = await stack.db.pool.query<{ code: string; attempts: number; n: number; min_ms: number }>(
        `SELECT error_code AS code, attempts, count(*)::int AS n,
              min(extract(epoch FROM finished_at - started_at) * 1000)::float8 AS min_ms
         FROM operation_devices WHERE operation_id = $1 AND status = 'failed' GROUP BY 1, 2 ORDER BY 1`,
        [operationId],
      );
      const expected = audit.ledgerErrors;
      expect(failed.rows.map(({ code, attempts, n }) => ({ code, attempts, n }))).toEqual([
        { code: "authentication_failures", attempts: 1, n: expected.authentication_failures },
        { code: "connection_timeouts", attempts: MAX_ATTEMPTS, n: expected.connection_timeouts },
      ]);
      const retried = failed.rows.find((r) => r.code === "connection_timeouts");
      expect(retried?.min_ms).toBeGreaterThanOrEqual(BACKOFF_MS * (2 ** (MAX_ATTEMPTS - 1) - 1));
      // On time: the poison and the retries cost the healthy devices nothing visible (a generous bound
      // over the no-fault probing time of this profile).
      expect(audit.seconds).toBeLessThan(profile.targetSeconds * 4 + 15);
    },
    scenarioTimeoutMs(profile),
  );
});
