import { type ConsumerContract, contracts, natsNames, priorities } from "@headless-ops/contracts";
import {
  AckPolicy,
  type ConsumerConfig,
  DeliverPolicy,
  DiscardPolicy,
  type JetStreamManager,
  RetentionPolicy,
  StorageType,
  type StreamConfig,
} from "@nats-io/jetstream";
import { nanos } from "@nats-io/transport-node";

const DAY_MS = 24 * 60 * 60 * 1000;

/** The streams of DESIGN.md, namespaced by prefix. */
export function streamConfigs(prefix: string, replicas = 1): (Partial<StreamConfig> & { name: string })[] {
  const n = natsNames(prefix);
  const common = {
    storage: StorageType.File,
    num_replicas: replicas,
    duplicate_window: nanos(2 * 60 * 1000),
  };
  return [
    {
      ...common,
      name: n.streams.operations,
      subjects: [n.subjects.operationsAll],
      retention: RetentionPolicy.Limits,
      max_age: nanos(7 * DAY_MS),
    },
    {
      // Work-queue: a job message is removed once a prober acks it. Jobs are batched,
      // so the per-message delete cost stays far below the device rate.
      ...common,
      name: n.streams.deviceJobs,
      subjects: [n.subjects.jobsAll],
      retention: RetentionPolicy.Workqueue,
      discard: DiscardPolicy.Old,
      max_age: nanos(7 * DAY_MS),
    },
    {
      ...common,
      name: n.streams.deviceResults,
      subjects: [n.subjects.result],
      retention: RetentionPolicy.Limits,
      max_age: nanos(2 * DAY_MS),
    },
  ];
}

/**
 * Durable consumers: never deleted for inactivity; ack wait, deliveries and max ack pending from the
 * contract catalog.
 */
export function consumerConfigs(prefix: string): { stream: string; config: Partial<ConsumerConfig> }[] {
  const n = natsNames(prefix);
  const durable = (name: string, filter: string, contract: ConsumerContract): Partial<ConsumerConfig> => ({
    durable_name: name,
    ack_policy: AckPolicy.Explicit,
    deliver_policy: DeliverPolicy.All,
    filter_subject: filter,
    ack_wait: nanos(contract.ackWaitMs),
    max_deliver: contract.maxDeliver,
    max_ack_pending: contract.maxAckPending,
  });
  return [
    {
      stream: n.streams.operations,
      config: durable(n.consumers.scheduler, n.subjects.operationCreated, contracts.operationCreated),
    },
    ...priorities.map((priority) => ({
      stream: n.streams.deviceJobs,
      config: durable(n.consumers.prober(priority), n.subjects.job(priority), contracts.deviceJobs),
    })),
    {
      stream: n.streams.deviceResults,
      config: durable(n.consumers.aggregator, n.subjects.result, contracts.deviceResults),
    },
    {
      // nats-server 2.9 takes one filter per consumer: the notifier reads every operation event and
      // acks `operation.created` without delivering anything.
      stream: n.streams.operations,
      config: durable(n.consumers.notifier, n.subjects.operationsAll, contracts.operationLifecycle),
    },
  ];
}

/** Creates or updates every stream and consumer. Idempotent; safe to run from every process. */
export async function provisionStreams(jsm: JetStreamManager, prefix: string, replicas = 1): Promise<void> {
  for (const config of streamConfigs(prefix, replicas)) {
    const name = config.name;
    const exists = await jsm.streams.info(name).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.streams.update(name, config);
    else await jsm.streams.add(config);
  }
  for (const { stream, config } of consumerConfigs(prefix)) {
    const name = config.durable_name as string;
    const exists = await jsm.consumers.info(stream, name).then(
      () => true,
      () => false,
    );
    if (exists) await jsm.consumers.update(stream, name, config);
    else await jsm.consumers.add(stream, config);
  }
}
