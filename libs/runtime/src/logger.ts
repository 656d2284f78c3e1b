import { type Logger, type LoggerOptions, pino } from "pino";
import type { Config } from "./config.js";
import { traceLogMixin } from "./trace-context.js";

export type { Logger };

/** Paths whose values never reach a log line: tokens, passwords, SNMP communities and keys. */
export const redactPaths = [
  "authorization",
  "token",
  "password",
  "community",
  "credentials",
  "auth_key",
  "priv_key",
  "authKey",
  "privKey",
  "*.authorization",
  "*.token",
  "*.password",
  "*.community",
  "*.credentials",
  "*.auth_key",
  "*.priv_key",
  "*.authKey",
  "*.privKey",
  "req.headers.authorization",
  "req.headers.cookie",
  "headers.authorization",
  "*.headers.authorization",
  "config.CREDENTIAL_KEY",
  "config.CREDENTIAL_KEYS",
  "config.DATABASE_URL",
  // NATS secrets: the password and token values, and URLs that may carry user:password@.
  "pass",
  "*.pass",
  "NATS_PASSWORD",
  "NATS_TOKEN",
  "*.NATS_PASSWORD",
  "*.NATS_TOKEN",
  "config.NATS_URL",
  "OTEL_EXPORTER_OTLP_HEADERS",
  "*.OTEL_EXPORTER_OTLP_HEADERS",
];

export function loggerOptions(
  service: string,
  config: Pick<Config, "LOG_LEVEL" | "LOG_PRETTY">,
): LoggerOptions {
  const pretty = config.LOG_PRETTY || process.stdout.isTTY === true;
  return {
    name: service,
    level: config.LOG_LEVEL,
    base: { service, pid: process.pid },
    redact: { paths: redactPaths, censor: "[redacted]" },
    timestamp: pino.stdTimeFunctions.isoTime,
    // Lines written while a span is active name its trace, so logs and traces join on trace_id.
    mixin: traceLogMixin,
    ...(pretty ? { transport: { target: "pino-pretty", options: { colorize: true } } } : {}),
  };
}

export function createLogger(service: string, config: Pick<Config, "LOG_LEVEL" | "LOG_PRETTY">): Logger {
  return pino(loggerOptions(service, config));
}
