import { connectNats, jetstreamManager, provisionStreams } from "@headless-ops/bus";
import { createDb, type DbHandle } from "@headless-ops/db";
import { createLogger } from "@headless-ops/runtime";
import { createTestContext, ProcessGroup, runScript, type TestContext } from "@headless-ops/testkit";
import { ApiClient } from "./api-client.js";

export type Stack = {
  ctx: TestContext;
  db: DbHandle;
  group: ProcessGroup;
  /** Call after seeding organizations: a token (admin CLI) and a client on it. */
  client: (organizations: number[]) => Promise<ApiClient>;
  stop: () => Promise<void>;
};

/**
 * One test file's installation: a fresh database and NATS prefix, the streams provisioned
 * (as `npm start` does before starting anything), then the API, `schedulers` schedulers, one
 * aggregator and `probers` probers as real processes, all on free ports, started together.
 */
export async function startStack(opts: {
  schedulers?: number;
  probers?: number;
  env?: Record<string, string>;
}): Promise<Stack> {
  const ctx = await createTestContext();
  const env = { ...ctx.env, ...opts.env };
  const nc = await connectNats({
    url: ctx.natsUrl,
    name: "e2e",
    log: createLogger("e2e", { LOG_LEVEL: "warn", LOG_PRETTY: false }),
  });
  await provisionStreams(await jetstreamManager(nc), ctx.natsPrefix, 1);
  await nc.close();
  const db = createDb({ url: ctx.databaseUrl, max: 4, applicationName: "e2e" });
  const group = new ProcessGroup();
  const starts = [
    group.start("api", { env }),
    group.start("aggregator", { env }),
    ...Array.from({ length: opts.schedulers ?? 1 }, (_, i) =>
      group.start("scheduler", { env, name: `scheduler-${i + 1}` }),
    ),
    ...Array.from({ length: opts.probers ?? 1 }, (_, i) =>
      group.start("prober", { env, name: `prober-${i + 1}` }),
    ),
  ];
  const stop = async () => {
    try {
      await group.stopAll();
    } finally {
      await db.close();
      await ctx.cleanup();
    }
  };
  const started = await Promise.allSettled(starts);
  const failed = started.find((s): s is PromiseRejectedResult => s.status === "rejected");
  if (failed) {
    await stop().catch(() => undefined);
    throw failed.reason;
  }
  const client = async (organizations: number[]) => {
    const args = [
      "token",
      "create",
      ...organizations.flatMap((o) => ["--org", String(o)]),
      "--role",
      "admin",
    ];
    const res = await runScript({
      script: "services/api/dist/admin.js",
      args: [...args, "--name", "e2e"],
      env,
    });
    const token = res.stdout.trim().split("\n").pop()?.trim();
    if (res.code !== 0 || !token) throw new Error(`admin token create failed: ${res.stdout}${res.stderr}`);
    return new ApiClient(group.get("api").url, token);
  };
  return { ctx, db, group, client, stop };
}
