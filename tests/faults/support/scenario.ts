import { isDeepStrictEqual } from "node:util";
import { expect } from "vitest";
import { diagnose } from "./diagnose.js";
import { createOperation, type Fleet, seedFleet } from "./fleet.js";
import { type FaultProfile, finishTimeoutMs } from "./profile.js";
import { recordResult } from "./results.js";
import { type FaultStack, terminalRows } from "./stack.js";
import { type Audit, auditOperation, expectedAudit, resultCopies, waitFinished } from "./verify.js";

export type Injected = { faults: string; count: number };

/**
 * The common shape of a scenario: seed the fleet, create one operation, let `inject` hurt the
 * services while it runs, wait for the end, audit the database against the ledger, record the
 * table line and fail on any difference.
 */
export async function runOperationScenario(opts: {
  id: string;
  title: string;
  profile: FaultProfile;
  stack: FaultStack;
  organization?: number;
  finishTimeoutMs?: number;
  /** Creates the operation (default: the API's insert straight in SQL, no API process needed). */
  create?: (fleet: Fleet) => Promise<string>;
  inject: (operationId: string, fleet: Fleet) => Promise<Injected>;
}): Promise<{ audit: Audit; operationId: string; fleet: Fleet }> {
  const { stack, profile } = opts;
  const fleet = await seedFleet(stack.db.pool, {
    organization: opts.organization ?? 301,
    devices: profile.devices,
    latencyMs: profile.latencyMs,
  });
  const started = performance.now();
  const operationId = opts.create
    ? await opts.create(fleet)
    : await createOperation(stack.db.pool, {
        organization: fleet.organization,
        natsPrefix: stack.natsPrefix,
      });
  let injected: Injected = { faults: "none", count: 0 };
  let audit: Audit | undefined;
  let completed = false;
  const trace = process.env.FAULTS_TRACE
    ? setInterval(() => {
        void terminalRows(stack.db.pool, operationId).then(
          (n) =>
            process.stdout.write(
              `[faults] ${opts.id} t=${((performance.now() - started) / 1000).toFixed(1)}s terminal=${n}\n`,
            ),
          () => undefined,
        );
      }, 1_000)
    : undefined;
  try {
    injected = await opts.inject(operationId, fleet).catch(async (err: Error) => {
      const state = await diagnose(stack.db.pool, stack.natsUrl, stack.natsPrefix, operationId);
      throw new Error(`fault injection failed: ${err.message}\n${state}\n${stack.group.dump(20)}`);
    });
    await waitFinished(stack.db.pool, operationId, opts.finishTimeoutMs ?? finishTimeoutMs(profile)).catch(
      async (err: Error) => {
        const state = await diagnose(stack.db.pool, stack.natsUrl, stack.natsPrefix, operationId);
        throw new Error(`${err.message}\n${state}\n${stack.group.dump(20)}`);
      },
    );
    audit = await auditOperation(stack.db.pool, operationId, fleet);
    const copies = await resultCopies(stack.natsUrl, stack.natsPrefix, operationId);
    audit.redelivered = copies.extra;
    completed = true;
  } finally {
    clearInterval(trace);
    if (process.env.FAULTS_DUMP)
      process.stdout.write(`${stack.group.dump(Number(process.env.FAULTS_DUMP))}\n`);
    audit ??= await auditOperation(stack.db.pool, operationId, fleet).catch(() => undefined);
    const expected = expectedAudit(fleet);
    const passed = completed && audit !== undefined && isDeepStrictEqual(pick(audit, expected), expected);
    recordResult({
      scenario: opts.id,
      title: opts.title,
      profile: profile.name,
      devices: fleet.devices,
      faults: injected.faults,
      faultCount: injected.count,
      lost: audit?.lost ?? fleet.devices,
      duplicated: audit?.duplicated ?? -1,
      redelivered: audit?.redelivered ?? -1,
      seconds: Number(((performance.now() - started) / 1000).toFixed(1)),
      passed,
    });
  }
  if (!audit) throw new Error(`operation ${operationId} could not be audited`);
  // No service died on its own: the test's kill -9 ends in SIGKILL and its SIGTERM in code 0.
  const crashed: string[] = [];
  for (const p of stack.group.processes) {
    if (p.running) continue;
    const exit = await p.exited;
    if (exit.signal !== "SIGKILL" && exit.code !== 0)
      crashed.push(`${p.name} ${JSON.stringify(exit)}:\n${p.tail(15)}`);
  }
  expect(crashed).toEqual([]);
  expect(pick(audit, expectedAudit(fleet))).toEqual(expectedAudit(fleet));
  return { audit, operationId, fleet };
}

function pick(a: Audit, keysOf: Partial<Audit>): Partial<Audit> {
  return Object.fromEntries(Object.keys(keysOf).map((k) => [k, a[k as keyof Audit]])) as Partial<Audit>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
