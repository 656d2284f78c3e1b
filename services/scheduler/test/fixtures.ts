import type { JsMsg } from "@headless-ops/bus";
import { DeviceJobBatch, type Priority, priorities } from "@headless-ops/contracts";
import type { DbHandle } from "@headless-ops/db";
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
    types?: string[];
    deviceIds?: string[];
    timeoutMinutes?: number;
    type?: string;
  } = {},
): Promise<string> {
  const request = {
    operation_type: opts.type ?? "bulk_serial_sync",
    target_organizations: opts.orgs ?? [101],
    device_filters: { types: opts.types ?? [], status: [] },
    schedule: { priority: opts.priority ?? "normal" },
    options: {
      update_firmware_info: false,
      validate_connectivity: false,
      timeout_minutes: opts.timeoutMinutes ?? 120,
    },
    ...(opts.deviceIds ? { device_ids: opts.deviceIds } : {}),
  };
  const rank = { high: 2, normal: 1, low: 0 }[opts.priority ?? "normal"];
  const res = await db.pool.query<{ id: string }>(
    `INSERT INTO operations (operation_type, priority, organization_ids, request, scheduled_for)
     VALUES ($1, $2, $3::bigint[], $4, now() + make_interval(secs => $5::float8 / 1000)) RETURNING id`,
    [request.operation_type, rank, opts.orgs ?? [101], request, opts.dueInMs ?? 0],
  );
  return res.rows[0]?.id as string;
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
