import { natsNames, priorities } from "@headless-ops/contracts";

/** One NATS user of the shipped server config: what it may publish (incl. JetStream API calls) and subscribe to. */
export type NatsUserPermissions = {
  user: string;
  /** Environment variable nats-server reads the password from (`$VAR` in the config): never committed. */
  passwordVariable: string;
  why: string;
  publish: string[];
  subscribe: string[];
};

/** The identities of an installation, in the order the config lists them. */
export const natsUsers = [
  "api",
  "scheduler",
  "prober",
  "aggregator",
  "notifier",
  "provisioner",
  "monitor",
] as const;
export type NatsUser = (typeof natsUsers)[number];

/**
 * Least-privilege subject permissions for one installation (one NATS_PREFIX). Each service may publish
 * only its own output subject and call only the JetStream API of the durable consumers it reads
 * (consumer info, pull next, ack); replies come on its own inbox (`connectNats` sets
 * `_INBOX.<NATS_USER>`), so no service reads another's replies. No service may create, change or delete
 * a stream or consumer: the `provisioner` identity does that once per deploy (`npm run nats:provision`).
 */
export function natsPermissions(prefix: string): NatsUserPermissions[] {
  const n = natsNames(prefix);
  const { operations, deviceJobs, deviceResults } = n.streams;
  const pull = (stream: string, consumer: string) => [
    `$JS.API.CONSUMER.INFO.${stream}.${consumer}`,
    `$JS.API.CONSUMER.MSG.NEXT.${stream}.${consumer}`,
    `$JS.ACK.${stream}.${consumer}.>`,
  ];
  const probers = priorities.map((p) => n.consumers.prober(p));
  const consumers: [string, string, string][] = [
    [operations, n.consumers.scheduler, n.subjects.operationCreated],
    ...priorities.map((p): [string, string, string] => [
      deviceJobs,
      n.consumers.prober(p),
      n.subjects.job(p),
    ]),
    [deviceResults, n.consumers.aggregator, n.subjects.result],
    [operations, n.consumers.notifier, n.subjects.operationsAll],
  ];
  const streams = [operations, deviceJobs, deviceResults];
  const inbox = (user: string) => [`_INBOX.${user}.>`];
  return [
    {
      user: "api",
      passwordVariable: "NATS_API_PASSWORD",
      why: "publishes the operation events of the outbox (relay); hears progress for its SSE streams",
      publish: [
        "$JS.API.INFO",
        n.subjects.operationCreated,
        n.subjects.operationStarted,
        n.subjects.operationFinished,
        n.subjects.operationMilestone,
      ],
      subscribe: [...inbox("api"), n.subjects.progressAll],
    },
    {
      user: "scheduler",
      passwordVariable: "NATS_SCHEDULER_PASSWORD",
      why: "consumes operation.created, publishes device jobs",
      publish: [
        "$JS.API.INFO",
        ...pull(operations, n.consumers.scheduler),
        ...priorities.map((p) => n.subjects.job(p)),
      ],
      subscribe: inbox("scheduler"),
    },
    {
      user: "prober",
      passwordVariable: "NATS_PROBER_PASSWORD",
      why: "consumes device jobs, publishes results",
      publish: ["$JS.API.INFO", ...probers.flatMap((c) => pull(deviceJobs, c)), n.subjects.result],
      subscribe: inbox("prober"),
    },
    {
      user: "aggregator",
      passwordVariable: "NATS_AGGREGATOR_PASSWORD",
      why: "consumes results, publishes progress (core NATS)",
      publish: ["$JS.API.INFO", ...pull(deviceResults, n.consumers.aggregator), n.subjects.progressAll],
      subscribe: inbox("aggregator"),
    },
    {
      user: "notifier",
      passwordVariable: "NATS_NOTIFIER_PASSWORD",
      why: "consumes operation started/finished/milestone events (webhook deliveries)",
      publish: ["$JS.API.INFO", ...pull(operations, n.consumers.notifier)],
      subscribe: inbox("notifier"),
    },
    {
      user: "provisioner",
      passwordVariable: "NATS_PROVISIONER_PASSWORD",
      why: "creates and updates this installation's streams and consumers (never deletes)",
      publish: [
        "$JS.API.INFO",
        ...streams.flatMap((s) => [
          `$JS.API.STREAM.INFO.${s}`,
          `$JS.API.STREAM.CREATE.${s}`,
          `$JS.API.STREAM.UPDATE.${s}`,
        ]),
        ...consumers.flatMap(([s, c, filter]) => [
          `$JS.API.CONSUMER.INFO.${s}.${c}`,
          `$JS.API.CONSUMER.CREATE.${s}.${c}`,
          `$JS.API.CONSUMER.CREATE.${s}.${c}.${filter}`,
          `$JS.API.CONSUMER.DURABLE.CREATE.${s}.${c}`,
        ]),
      ],
      subscribe: inbox("provisioner"),
    },
    {
      user: "monitor",
      passwordVariable: "NATS_MONITOR_PASSWORD",
      why: "read-only stream and consumer info for tools (nats CLI, surveyor); KEDA and Prometheus use the HTTP monitoring port",
      publish: [
        "$JS.API.INFO",
        "$JS.API.STREAM.NAMES",
        ...streams.flatMap((s) => [
          `$JS.API.STREAM.INFO.${s}`,
          `$JS.API.CONSUMER.NAMES.${s}`,
          `$JS.API.CONSUMER.LIST.${s}`,
        ]),
        ...consumers.map(([s, c]) => `$JS.API.CONSUMER.INFO.${s}.${c}`),
      ],
      subscribe: inbox("monitor"),
    },
  ];
}
