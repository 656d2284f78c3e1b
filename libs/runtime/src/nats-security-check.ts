import type { z } from "zod";

type NatsSecurityEnv = {
  NATS_USER?: string | undefined;
  NATS_PASSWORD?: string | undefined;
  NATS_TOKEN?: string | undefined;
  NATS_CREDS_FILE?: string | undefined;
  NATS_NKEY_SEED_FILE?: string | undefined;
  NATS_TLS_CERT_FILE?: string | undefined;
  NATS_TLS_KEY_FILE?: string | undefined;
};

/** Variables that only make sense together: a half-set pair is a start-up error naming both. */
const pairs = [
  ["NATS_USER", "NATS_PASSWORD"],
  ["NATS_TLS_CERT_FILE", "NATS_TLS_KEY_FILE"],
] as const;

/** The authentication methods; a server takes one identity per connection, so two are a mistake. */
const methods = [
  { name: "NATS_USER/NATS_PASSWORD", set: (e: NatsSecurityEnv) => !!(e.NATS_USER || e.NATS_PASSWORD) },
  { name: "NATS_TOKEN", set: (e: NatsSecurityEnv) => !!e.NATS_TOKEN },
  { name: "NATS_CREDS_FILE", set: (e: NatsSecurityEnv) => !!e.NATS_CREDS_FILE },
  { name: "NATS_NKEY_SEED_FILE", set: (e: NatsSecurityEnv) => !!e.NATS_NKEY_SEED_FILE },
];

/** Cross-field checks of the NATS credential and TLS variables (the schema's superRefine). */
export function checkNatsSecurity(env: NatsSecurityEnv, ctx: z.RefinementCtx): void {
  for (const [a, b] of pairs) {
    if (!env[a] !== !env[b]) {
      const missing = env[a] ? b : a;
      ctx.addIssue({
        code: "custom",
        path: [missing],
        message: `${a} and ${b} must be set together (${missing} is missing)`,
      });
    }
  }
  const chosen = methods.filter((m) => m.set(env)).map((m) => m.name);
  if (chosen.length > 1) {
    ctx.addIssue({
      code: "custom",
      path: [],
      message: `choose one NATS authentication method, not ${chosen.join(" and ")}`,
    });
  }
}
