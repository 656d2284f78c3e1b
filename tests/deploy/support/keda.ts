import type { K8sObject } from "./render.js";

/**
 * What KEDA does with a rendered ScaledObject of nats-jetstream triggers, re-stated from its source
 * (kedacore/keda pkg/scalers/nats_jetstream_scaler.go, pkg/scaling/scale_handler.go) so a test can
 * compute the replica count it would ask for. Only the parts the prober ScaledObject uses.
 */

export type JetStreamTrigger = {
  name: string;
  endpoint: string;
  account: string;
  stream: string;
  consumer: string;
  lagThreshold: number;
};

export type ScalerModel = {
  min: number;
  max: number;
  triggers: JetStreamTrigger[];
  /** The trigger names the formula adds, in formula order. */
  sumOf: string[];
  target: number;
  activationTarget: number;
};

/** The only formula form this model evaluates: trigger names joined by `+` (expr-lang syntax). */
const SUM_FORM = /^\s*[A-Za-z_][A-Za-z0-9_]*(\s*\+\s*[A-Za-z_][A-Za-z0-9_]*)*\s*$/;

export function parseSumFormula(formula: string): string[] {
  if (!SUM_FORM.test(formula)) throw new Error(`formula ${JSON.stringify(formula)} is not a sum of triggers`);
  return formula.split("+").map((term) => term.trim());
}

export function scalerModel(scaled: K8sObject): ScalerModel {
  const spec = scaled.spec;
  const triggers = (spec.triggers as { type: string; name?: string; metadata: Record<string, string> }[]).map(
    (t): JetStreamTrigger => {
      if (t.type !== "nats-jetstream") throw new Error(`unexpected trigger type ${t.type}`);
      return {
        name: t.name ?? "",
        endpoint: t.metadata.natsServerMonitoringEndpoint ?? "",
        account: t.metadata.accountID ?? t.metadata.account ?? "",
        stream: t.metadata.stream ?? "",
        consumer: t.metadata.consumer ?? "",
        lagThreshold: Number(t.metadata.lagThreshold ?? 10),
      };
    },
  );
  const modifiers = spec.advanced?.scalingModifiers;
  if (!modifiers?.formula)
    throw new Error("no scalingModifiers formula: KEDA would take the max, not the sum");
  return {
    // KEDA's defaults: minReplicaCount 0, maxReplicaCount 100.
    min: Number(spec.minReplicaCount ?? 0),
    max: Number(spec.maxReplicaCount ?? 100),
    triggers,
    sumOf: parseSumFormula(modifiers.formula),
    target: Number(modifiers.target),
    activationTarget: Number(modifiers.activationTarget ?? 0),
  };
}

/**
 * The URL KEDA's scaler queries: getNATSJetStreamMonitoringURL builds url.Values{acc, consumers,
 * config}, and Go's Values.Encode sorts the keys and escapes the account (`$G` -> `%24G`).
 */
export function jszUrl(endpoint: string, account: string, useHttps = false): string {
  const query = new URLSearchParams([
    ["acc", account],
    ["config", "true"],
    ["consumers", "true"],
  ]);
  return `${useHttps ? "https" : "http"}://${endpoint}/jsz?${query.toString()}`;
}

export type Jsz = {
  account_details?: {
    name: string;
    id: string;
    stream_detail?: {
      name: string;
      consumer_detail?: { name: string; num_pending: number; num_ack_pending: number }[];
    }[];
  }[];
};

/** getMaxMsgLag: num_pending + num_ack_pending of the named consumer; an error when it is missing. */
export function consumerLag(jsz: Jsz, trigger: JetStreamTrigger): number {
  const account = jsz.account_details?.find((a) => a.id === trigger.account || a.name === trigger.account);
  const stream = account?.stream_detail?.find((s) => s.name === trigger.stream);
  const consumer = stream?.consumer_detail?.find((c) => c.name === trigger.consumer);
  if (!consumer) throw new Error(`consumer ${trigger.consumer} not found in stream ${trigger.stream}`);
  return consumer.num_pending + consumer.num_ack_pending;
}

/** The formula's value: the sum of the named triggers' lags. */
export function formulaValue(model: ScalerModel, lags: Record<string, number>): number {
  return model.sumOf.reduce((sum, name) => {
    const lag = lags[name];
    if (lag === undefined) throw new Error(`formula names ${name}, which is no trigger`);
    return sum + lag;
  }, 0);
}

/**
 * Replicas KEDA + the HPA settle on: inactive (value <= activationTarget) with minReplicaCount 0
 * means zero; otherwise the HPA's AverageValue rule ceil(value / target), within [max(min, 1), max].
 */
export function desiredReplicas(model: ScalerModel, lags: Record<string, number>): number {
  const value = formulaValue(model, lags);
  const active = value > model.activationTarget;
  if (!active && model.min === 0) return 0;
  const hpaMin = Math.max(model.min, 1);
  return Math.min(model.max, Math.max(hpaMin, Math.ceil(value / model.target)));
}
