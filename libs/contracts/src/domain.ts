import { z } from "zod";

export const operationTypes = [
  "bulk_serial_sync",
  "inventory_audit",
  "status_refresh",
  "compliance_report",
] as const;
export const OperationType = z.enum(operationTypes);
export type OperationType = z.infer<typeof OperationType>;

export const operationStatuses = [
  "scheduled",
  "in_progress",
  "completed",
  "completed_with_errors",
  "failed",
  "cancelled",
] as const;
export const OperationStatus = z.enum(operationStatuses);
export type OperationStatus = z.infer<typeof OperationStatus>;
export const terminalOperationStatuses: readonly OperationStatus[] = [
  "completed",
  "completed_with_errors",
  "failed",
  "cancelled",
];

export const priorities = ["high", "normal", "low"] as const;
export const Priority = z.enum(priorities);
export type Priority = z.infer<typeof Priority>;
/** Numeric rank stored in the database: higher runs first. */
export const priorityRank: Record<Priority, number> = { high: 2, normal: 1, low: 0 };

export const deviceTypes = [
  "router",
  "switch",
  "access_point",
  "firewall",
  "wireless_controller",
  "gateway",
] as const;
export const DeviceType = z.enum(deviceTypes);
export type DeviceType = z.infer<typeof DeviceType>;

export const deviceStatuses = ["active", "pending", "offline", "maintenance", "decommissioned"] as const;
export const DeviceStatus = z.enum(deviceStatuses);
export type DeviceStatus = z.infer<typeof DeviceStatus>;

export const drivers = ["simulated", "snmp"] as const;
export const Driver = z.enum(drivers);
export type Driver = z.infer<typeof Driver>;

/** Per-device ledger states: pending → dispatched → succeeded | failed | cancelled. */
export const ledgerStatuses = ["pending", "dispatched", "succeeded", "failed", "cancelled"] as const;
export const LedgerStatus = z.enum(ledgerStatuses);
export type LedgerStatus = z.infer<typeof LedgerStatus>;
export const terminalLedgerStatuses: readonly LedgerStatus[] = ["succeeded", "failed", "cancelled"];

/** Keys of `error_summary`: every probe failure is classified into one of these. */
export const errorCodes = [
  "connection_timeouts",
  "authentication_failures",
  "unreachable",
  "protocol_errors",
  "serial_missing",
  "operation_timeouts",
  "internal_errors",
] as const;
export const ErrorCode = z.enum(errorCodes);
export type ErrorCode = z.infer<typeof ErrorCode>;

/** Error codes worth another attempt: the device may answer next time. */
export const transientErrorCodes: readonly ErrorCode[] = ["connection_timeouts", "unreachable"];

export const tokenRoles = ["admin", "operator", "viewer"] as const;
export const TokenRole = z.enum(tokenRoles);
export type TokenRole = z.infer<typeof TokenRole>;

/** Organization ids are positive integers (the reference uses 101, 102, …). */
export const OrganizationId = z.number().int().positive().max(Number.MAX_SAFE_INTEGER);

/**
 * What a probe observed on a device. All optional: each operation type reads only what it needs.
 */
export const ObservedValues = z.object({
  serial: z.string().max(256).nullish(),
  model: z.string().max(256).nullish(),
  vendor: z.string().max(256).nullish(),
  firmware: z.string().max(256).nullish(),
  sys_descr: z.string().max(2048).nullish(),
  sys_name: z.string().max(256).nullish(),
  reachable: z.boolean().nullish(),
  rtt_ms: z.number().nonnegative().nullish(),
});
export type ObservedValues = z.infer<typeof ObservedValues>;

/**
 * How the `simulated` driver behaves for one device: latency and failure mix.
 * Stored on the device record so tests, benchmarks and the demo can shape a fleet.
 */
export const SimProfile = z.object({
  latency_ms: z.number().int().min(0).max(600_000).default(0),
  /** Probability (0..1) that a probe fails with `fail_code`; 1 means it always fails. */
  fail_rate: z.number().min(0).max(1).default(0),
  fail_code: ErrorCode.default("connection_timeouts"),
  /** What the device reports. */
  serial: z.string().max(256).nullish(),
  model: z.string().max(256).nullish(),
  vendor: z.string().max(256).nullish(),
  firmware: z.string().max(256).nullish(),
});
export type SimProfile = z.infer<typeof SimProfile>;

/** SNMP credentials. Write-only over the API; sealed (AES-256-GCM) at rest; never in events or logs. */
export const SnmpV2cCredentials = z
  .object({
    version: z.literal("v2c"),
    community: z.string().min(1).max(255),
  })
  .strict();
export const SnmpV3Credentials = z
  .object({
    version: z.literal("v3"),
    user: z.string().min(1).max(255),
    security_level: z.enum(["noAuthNoPriv", "authNoPriv", "authPriv"]),
    auth_protocol: z.enum(["md5", "sha", "sha224", "sha256", "sha384", "sha512"]).optional(),
    auth_key: z.string().min(8).max(255).optional(),
    priv_protocol: z.enum(["des", "aes", "aes256b", "aes256r"]).optional(),
    priv_key: z.string().min(8).max(255).optional(),
  })
  .strict()
  .superRefine((c, ctx) => {
    const needsAuth = c.security_level !== "noAuthNoPriv";
    const needsPriv = c.security_level === "authPriv";
    if (needsAuth && (!c.auth_protocol || !c.auth_key)) {
      ctx.addIssue({
        code: "custom",
        path: ["auth_key"],
        message: `${c.security_level} needs auth_protocol and auth_key`,
      });
    }
    if (needsPriv && (!c.priv_protocol || !c.priv_key)) {
      ctx.addIssue({
        code: "custom",
        path: ["priv_key"],
        message: "authPriv needs priv_protocol and priv_key",
      });
    }
  });
export const SnmpCredentials = z.discriminatedUnion("version", [SnmpV2cCredentials, SnmpV3Credentials]);
export type SnmpCredentials = z.infer<typeof SnmpCredentials>;
