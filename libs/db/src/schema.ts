import { sql } from "drizzle-orm";
import {
  bigint,
  bigserial,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  smallint,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const bytea = customType<{ data: Buffer }>({ dataType: () => "bytea" });
const tstz = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
const id = (name: string) => bigint(name, { mode: "bigint" });

export const organizations = pgTable("organizations", {
  id: id("id").primaryKey(),
  name: text("name").notNull(),
  /** Default probe rate limit of operations over it that set no `max_devices_per_second`; null: none. */
  maxDevicesPerSecond: integer("max_devices_per_second"),
  createdAt: tstz("created_at").notNull().defaultNow(),
});

/** Only the sha-256 of a token is stored. */
export const apiTokens = pgTable("api_tokens", {
  id: bigserial("id", { mode: "bigint" }).primaryKey(),
  name: text("name").notNull().default(""),
  tokenHash: bytea("token_hash").notNull().unique(),
  role: text("role", { enum: ["admin", "operator", "viewer"] }).notNull(),
  organizationIds: id("organization_ids").array().notNull(),
  createdAt: tstz("created_at").notNull().defaultNow(),
  /** Updated at most once a minute per token, so a request costs no write. */
  lastUsedAt: tstz("last_used_at"),
  revokedAt: tstz("revoked_at"),
  /** Past it the token answers 401; null never expires. */
  expiresAt: tstz("expires_at"),
  /** The admin token that created it over the API; null when made with `npm run admin`. */
  createdBy: id("created_by"),
});

export const devices = pgTable(
  "devices",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    organizationId: id("organization_id")
      .notNull()
      .references(() => organizations.id),
    hostname: text("hostname").notNull(),
    deviceType: text("device_type").notNull(),
    status: text("status").notNull().default("active"),
    mgmtAddress: text("mgmt_address"),
    mgmtPort: integer("mgmt_port"),
    driver: text("driver").notNull().default("simulated"),
    /** AES-256-GCM sealed credentials (SNMP community or v3 user and keys); never returned. */
    credentials: bytea("credentials"),
    /** Behaviour of the `simulated` driver (latency, failure mix, reported values). */
    simProfile: jsonb("sim_profile"),
    serial: text("serial"),
    model: text("model"),
    vendor: text("vendor"),
    firmware: text("firmware"),
    lastSeen: tstz("last_seen"),
    lastProbeStatus: text("last_probe_status"),
    lastErrorCode: text("last_error_code"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("devices_org_type_status_idx").on(t.organizationId, t.deviceType, t.status, t.id),
    uniqueIndex("devices_org_hostname_uq").on(t.organizationId, t.hostname),
  ],
);

/**
 * A recurring operation: the operation request (without `execute_at`) plus a 5-field cron in an IANA
 * timezone. The scheduler fires it when `next_fire_at` is due and moves `next_fire_at` on.
 */
export const schedules = pgTable(
  "schedules",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    organizationIds: id("organization_ids").array().notNull(),
    /** A StoredOperationRequest template; each firing sets `schedule.execute_at` to its fire time. */
    request: jsonb("request").notNull(),
    cron: text("cron").notNull(),
    timezone: text("timezone").notNull(),
    enabled: boolean("enabled").notNull().default(true),
    startsAt: tstz("starts_at"),
    endsAt: tstz("ends_at"),
    missedRuns: text("missed_runs", { enum: ["skip", "run_once"] })
      .notNull()
      .default("skip"),
    overlap: text("overlap", { enum: ["skip", "allow"] })
      .notNull()
      .default("skip"),
    /** Null when disabled or past `ends_at`: nothing left to fire. */
    nextFireAt: tstz("next_fire_at"),
    lastFiredAt: tstz("last_fired_at"),
    createdBy: id("created_by").references(() => apiTokens.id),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("schedules_due_idx").on(t.nextFireAt).where(sql`enabled AND next_fire_at IS NOT NULL`),
    index("schedules_orgs_gin").using("gin", t.organizationIds),
  ],
);

export const operations = pgTable(
  "operations",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    operationType: text("operation_type").notNull(),
    status: text("status").notNull().default("scheduled"),
    /** 2 high, 1 normal, 0 low: due operations are claimed highest first. */
    priority: smallint("priority").notNull().default(1),
    organizationIds: id("organization_ids").array().notNull(),
    /** The validated request as the client sent it (filters, schedule, options). */
    request: jsonb("request").notNull(),
    scheduledFor: tstz("scheduled_for").notNull(),
    targetDeviceCount: integer("target_device_count").notNull().default(0),
    estimatedDurationMinutes: integer("estimated_duration_minutes").notNull().default(0),
    totalDevices: integer("total_devices").notNull().default(0),
    processedDevices: integer("processed_devices").notNull().default(0),
    failedDevices: integer("failed_devices").notNull().default(0),
    errorSummary: jsonb("error_summary").notNull().default(sql`'{}'::jsonb`),
    /**
     * compliance_report only: the organizations' baselines as the scheduler's claim found them (rows of
     * compliance_baselines as JSON). The fold and the report judge with this copy, never with the
     * current baselines, so the summary and the report agree and an audit shows the rules in force.
     * Null for other types and for compliance reports claimed before this column existed.
     */
    complianceBaselines: jsonb("compliance_baselines"),
    /**
     * compliance_report only: devices judged so far, by verdict (set to 0 at the claim, moved by the
     * rows that reach a terminal state, like processed_devices). Null where complianceBaselines is.
     */
    complianceCompliant: integer("compliance_compliant"),
    complianceNonCompliant: integer("compliance_non_compliant"),
    complianceUnknown: integer("compliance_unknown"),
    progress: smallint("progress").notNull().default(0),
    estimatedCompletion: tstz("estimated_completion"),
    /** Fan-out cursor: jobs for devices with id <= this have been published. */
    fanoutCursor: id("fanout_cursor"),
    fanoutDone: boolean("fanout_done").notNull().default(false),
    /** Bumped when stuck jobs are requeued: the fan-out restarts over non-terminal rows with new message ids. */
    dispatchRound: smallint("dispatch_round").notNull().default(1),
    /** Set by cancel: fan-out stops, probers skip, the operation ends `cancelled`. */
    cancelRequestedAt: tstz("cancel_requested_at"),
    /** started_at + timeout_minutes: past it, non-terminal devices fail with operation_timeouts. */
    deadlineAt: tstz("deadline_at"),
    createdBy: id("created_by").references(() => apiTokens.id),
    idempotencyKey: text("idempotency_key"),
    retryOf: id("retry_of"),
    /** The schedule whose firing created it (null for direct POSTs, or once the schedule is deleted). */
    scheduleId: id("schedule_id").references(() => schedules.id, { onDelete: "set null" }),
    /** The fire time of that firing: unique per schedule, so a firing exists at most once. */
    scheduleFireAt: tstz("schedule_fire_at"),
    /**
     * W3C trace context of the request that created it (as `outbox.traceparent`): whichever scheduler
     * replica claims the operation, even after a restart, runs the fan-out in that trace. Null untraced.
     */
    traceparent: text("traceparent"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
    startedAt: tstz("started_at"),
    finishedAt: tstz("finished_at"),
  },
  (t) => [
    index("operations_due_idx").on(t.priority.desc(), t.scheduledFor, t.id).where(sql`status = 'scheduled'`),
    index("operations_active_idx").on(t.id).where(sql`status = 'in_progress'`),
    index("operations_created_idx").on(t.createdAt.desc(), t.id.desc()),
    index("operations_orgs_gin").using("gin", t.organizationIds),
    uniqueIndex("operations_idempotency_uq")
      .on(t.createdBy, t.idempotencyKey)
      .where(sql`idempotency_key IS NOT NULL`),
    uniqueIndex("operations_schedule_firing_uq")
      .on(t.scheduleId, t.scheduleFireAt)
      .where(sql`schedule_id IS NOT NULL`),
  ],
);

/**
 * The shared probe rate limit of one rate-limited operation, as virtual time (GCRA): `next_at` is when
 * the next device may start. Probers take tokens in batches with one upsert that moves it on by
 * n / rate, and wait until their first token's time; idle time grants no burst. Only rate-limited
 * operations get a row.
 */
export const operationRateBuckets = pgTable("operation_rate_buckets", {
  operationId: id("operation_id")
    .primaryKey()
    .references(() => operations.id, { onDelete: "cascade" }),
  nextAt: tstz("next_at").notNull(),
});

/**
 * The per-device ledger: a counter moves only when a row here moves into a terminal state.
 *
 * `operation_id` has no foreign key on purpose (migration 0009): the check cost ~5.5 µs per row, 60 %
 * of the claim's snapshot (a 1M-row INSERT … SELECT: 8.5–9.2 s with it, 3.2 s without). Rows are
 * written only by the claim, in the transaction that holds the operation's row locked, so the
 * operation exists; operations are never deleted (retention removes ledger rows, the operation row
 * and its counters stay).
 */
export const operationDevices = pgTable(
  "operation_devices",
  {
    operationId: id("operation_id").notNull(),
    deviceId: id("device_id").notNull(),
    status: text("status").notNull().default("pending"),
    attempts: smallint("attempts").notNull().default(0),
    errorCode: text("error_code"),
    errorMessage: text("error_message"),
    observed: jsonb("observed"),
    dispatchedAt: tstz("dispatched_at"),
    startedAt: tstz("started_at"),
    finishedAt: tstz("finished_at"),
  },
  (t) => [primaryKey({ columns: [t.operationId, t.deviceId] })],
);

/** Events written in the same transaction as the state they announce; a relay publishes them. */
export const outbox = pgTable(
  "outbox",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    subject: text("subject").notNull(),
    msgId: text("msg_id").notNull(),
    payload: jsonb("payload").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    sentAt: tstz("sent_at"),
    attempts: integer("attempts").notNull().default(0),
    /** W3C trace context of the request that wrote the event: the relay publishes it as a header. */
    traceparent: text("traceparent"),
  },
  (t) => [index("outbox_unsent_idx").on(t.id).where(sql`sent_at IS NULL`)],
);

/**
 * One row per write request (any method but GET/HEAD/OPTIONS) of an authenticated token, written by one
 * central hook. Holds no request body: only who, on which organizations, what, and how it ended.
 */
export const auditEvents = pgTable(
  "audit_events",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    tokenId: id("token_id"),
    /** The calling token's organizations: admins of all of them may read the event. */
    organizationIds: id("organization_ids").array().notNull(),
    action: text("action").notNull(),
    objectType: text("object_type").notNull(),
    objectId: text("object_id"),
    method: text("method").notNull(),
    route: text("route").notNull(),
    statusCode: smallint("status_code").notNull(),
    requestId: text("request_id").notNull(),
  },
  (t) => [
    index("audit_events_created_idx").on(t.createdAt.desc(), t.id.desc()),
    index("audit_events_orgs_gin").using("gin", t.organizationIds),
    index("audit_events_token_idx").on(t.tokenId, t.createdAt.desc()),
  ],
);

/**
 * One row, written by `migrate`: how many migrations the database has, and the fewest a build must
 * ship to use it (the count up to the last `-- contract:` migration, which removed something older
 * builds read). A service refuses to start when the database is ahead of it and its build is older
 * than `oldest_reader` (libs/db schema-version.ts). Readable by the application role, unlike the
 * migrations journal.
 */
export const schemaVersion = pgTable("schema_version", {
  id: smallint("id").primaryKey().default(1),
  migrations: integer("migrations").notNull(),
  oldestReader: integer("oldest_reader").notNull(),
  updatedAt: tstz("updated_at").notNull().defaultNow(),
});

/**
 * Webhooks of one organization. The signing secret is sealed with the credential sealer (bound to the
 * webhook id and organization), never stored in clear: the notifier opens it to sign each delivery.
 */
export const webhooks = pgTable(
  "webhooks",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    organizationId: id("organization_id")
      .notNull()
      .references(() => organizations.id),
    url: text("url").notNull(),
    /** `operation.started`, `operation.finished`, `operation.progress_milestone`. */
    events: text("events").array().notNull(),
    /** Milestones (25, 50, 75) delivered when `operation.progress_milestone` is subscribed. */
    milestones: smallint("milestones").array().notNull().default(sql`'{}'`),
    description: text("description"),
    enabled: boolean("enabled").notNull().default(true),
    secretSealed: bytea("secret_sealed").notNull(),
    createdBy: id("created_by"),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("webhooks_org_idx").on(t.organizationId)],
);

/**
 * One message to one webhook (`msg_id` is the `webhook-id` header: the same on every attempt, so a
 * receiver de-duplicates by it). Due rows are claimed with a lease (`next_attempt_at` moved forward),
 * so a notifier killed mid-delivery leaves the row to be picked up again when the lease runs out.
 */
export const webhookDeliveries = pgTable(
  "webhook_deliveries",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    webhookId: id("webhook_id")
      .notNull()
      .references(() => webhooks.id, { onDelete: "cascade" }),
    msgId: text("msg_id").notNull(),
    eventType: text("event_type").notNull(),
    operationId: id("operation_id"),
    payload: jsonb("payload").notNull(),
    /** `pending` (due or leased), `succeeded`, `failed` (retry window over). */
    status: text("status").notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    nextAttemptAt: tstz("next_attempt_at").notNull().defaultNow(),
    /** No retry is scheduled past this (NOTIFIER_RETRY_WINDOW_MS after the event, or after a redeliver). */
    retryUntil: tstz("retry_until").notNull(),
    createdAt: tstz("created_at").notNull().defaultNow(),
    finishedAt: tstz("finished_at"),
  },
  (t) => [
    uniqueIndex("webhook_deliveries_msg_uq").on(t.webhookId, t.msgId),
    index("webhook_deliveries_due_idx").on(t.nextAttemptAt).where(sql`status = 'pending'`),
    index("webhook_deliveries_webhook_idx").on(t.webhookId, t.id.desc()),
  ],
);

/** Each HTTP attempt of a delivery: answer status (null when none came), latency, error, time. */
export const webhookAttempts = pgTable(
  "webhook_attempts",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    deliveryId: id("delivery_id")
      .notNull()
      .references(() => webhookDeliveries.id, { onDelete: "cascade" }),
    attemptedAt: tstz("attempted_at").notNull().defaultNow(),
    statusCode: smallint("status_code"),
    latencyMs: integer("latency_ms").notNull(),
    error: text("error"),
  },
  (t) => [index("webhook_attempts_delivery_idx").on(t.deliveryId, t.id)],
);

/**
 * Firmware baselines of an organization: a device whose vendor and model match is judged against
 * them (libs/contracts evaluateCompliance). A compliance_report operation judges with the copy its
 * claim froze into operations.compliance_baselines; editing a baseline changes later runs only.
 */
export const complianceBaselines = pgTable(
  "compliance_baselines",
  {
    id: bigserial("id", { mode: "bigint" }).primaryKey(),
    organizationId: id("organization_id")
      .notNull()
      .references(() => organizations.id),
    vendor: text("vendor").notNull(),
    modelPattern: text("model_pattern").notNull().default("*"),
    minFirmware: text("min_firmware"),
    allowedFirmware: text("allowed_firmware").array(),
    serialRequired: boolean("serial_required").notNull().default(false),
    modelMustMatchInventory: boolean("model_must_match_inventory").notNull().default(false),
    createdAt: tstz("created_at").notNull().defaultNow(),
    updatedAt: tstz("updated_at").notNull().defaultNow(),
  },
  (t) => [index("compliance_baselines_org_idx").on(t.organizationId, t.id)],
);
