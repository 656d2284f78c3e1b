import type { JsMsg } from "@headless-ops/bus";
import {
  DeviceJobBatch,
  type DeviceType,
  type OperationType,
  type Priority,
  priorities,
} from "@headless-ops/contracts";
import { type DbHandle, insertOperation, withTransaction } from "@headless-ops/db";
import { createMetricsRegistry } from "@headless-ops/runtime";
import { startWorkerEnv, type WorkerTestEnv } from "@headless-ops/testkit";
import { buildScheduler, type SchedulerWorker } from "../src/build-scheduler.js";
import { createSchedulerMetrics, type SchedulerMetrics } from "../src/metrics.js";
import type { SchedulerOptions } from "../src/scheduler.js";

export type Env = WorkerTestEnv & { metrics: () => SchedulerMetrics };

/**
 * A fresh database and NATS namespace with streams provisioned, and organizations 101 and 102.
 * Replicas built by `newScheduler` sweep rarely (tests wake them) and publish 100 devices per job.
 */
export async function startEnv(): Promise<Env> {
  const env = await startWorkerEnv("scheduler-test", {
    poolMax: 8,
    env: {
      SCHEDULER_SWEEP_MS: "60000",
      FANOUT_BATCH_SIZE: "100",
      FANOUT_PAGE_SIZE: "300",
      SCHEDULER_FANOUT_CONCURRENCY: "4",
    },
  });
  await env.db.pool.query("INSERT INTO organizations (id, name) VALUES (101, 'Acme'), (102, 'Beta')");
  return { ...env, metrics: () => createSchedulerMetrics(createMetricsRegistry("scheduler-test")) };
}

/** Inserts `count` simulated devices of one organization and type; returns their ids in order. */
export async function seedDevices(
  db: DbHandle,
  org: number,
  count: number,
  type = "router",
): Promise<string[]> {
  const res = await db.pool.query<{ id: string }>(
    `INSERT INTO devices (organization_id, hostname, device_type, driver)
     SELECT $1, $2 || '-' || i, $3, 'simulated' FROM generate_series(1, $4::int) AS i
     RETURNING id`,
    [org, `${type}-${org}-${Math.random().toString(36).slice(2, 8)}`, type, count],
  );
  return res.rows.map((r) => r.id).sort((a, b) => Number(a) - Number(b));
}

/** Inserts an operation the way the API stores one (request = normalized body). */
export async function createOperation(
  db: DbHandle,
  opts: {
    orgs?: number[];
    priority?: Priority;
    dueInMs?: number;
    types?: DeviceType[];
    deviceIds?: string[];
    timeoutMinutes?: number;
    type?: OperationType;
    natsPrefix?: string;
  } = {},
): Promise<string> {
  const request = {
    operation_type: opts.type ?? "bulk_serial_sync",
    target_organizations: opts.orgs ?? [101],
    device_filters: opts.types ? { types: opts.types } : {},
    schedule: {
      execute_at: new Date(Date.now() + (opts.dueInMs ?? 0)).toISOString(),
      priority: opts.priority ?? "normal",
    },
    options: {
      update_firmware_info: false,
      validate_connectivity: false,
      timeout_minutes: opts.timeoutMinutes ?? 120,
    },
    ...(opts.deviceIds ? { device_ids: opts.deviceIds } : {}),
  };
  const { row } = await withTransaction(db.pool, (client) =>
    insertOperation(client, opts.natsPrefix ?? "", { request }),
  );
  return row.id;
}

/**
 * One scheduler replica built as `main.ts` builds it (wake-up consumer included), with its own
 * metrics registry; `tuning` overrides what the config sets.
 */
export function newScheduler(env: Env, tuning: Partial<SchedulerOptions> = {}): SchedulerWorker {
  return buildScheduler(env.deps(), tuning);
}

export type PublishedJob = {
  subject: string;
  msgId: string | undefined;
  operationId: string;
  deviceIds: string[];
};

/**
 * Takes every job message waiting on the three prober consumers (acking them), as a prober would,
 * and returns what they carried, in consumption order.
 */
export async function drainJobs(env: Env): Promise<PublishedJob[]> {
  const jobs: PublishedJob[] = [];
  for (const priority of priorities) {
    const consumer = await env.js.consumers.get(
      env.names.streams.deviceJobs,
      env.names.consumers.prober(priority),
    );
    for (;;) {
      const info = await consumer.info();
      if (info.num_pending === 0) break;
      const batch = await consumer.fetch({ max_messages: 500, expires: 1_000 });
      for await (const m of batch) {
        jobs.push(toJob(m));
        m.ack();
      }
    }
  }
  return jobs;
}

/** Decodes a job with its contract schema: a job the prober would reject fails the test here. */
function toJob(m: JsMsg): PublishedJob {
  const body = DeviceJobBatch.parse(m.json());
  return {
    subject: m.subject,
    msgId: m.headers?.get("Nats-Msg-Id"),
    operationId: body.operation_id,
    deviceIds: body.devices.map((d) => d.device_id),
  };
}

export async function operationRow(db: DbHandle, id: string) {
  const res = await db.pool.query<{
    status: string;
    total_devices: number;
    processed_devices: number;
    failed_devices: number;
    fanout_cursor: string | null;
    fanout_done: boolean;
    started_at: Date | null;
    deadline_at: Date | null;
    error_summary: Record<string, number>;
  }>("SELECT * FROM operations WHERE id = $1", [id]);
  return res.rows[0];
}
