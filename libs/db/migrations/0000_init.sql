CREATE TABLE "api_tokens" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"token_hash" "bytea" NOT NULL,
	"role" text NOT NULL,
	"organization_ids" bigint[] NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"last_used_at" timestamp with time zone,
	"revoked_at" timestamp with time zone,
	CONSTRAINT "api_tokens_token_hash_unique" UNIQUE("token_hash")
);
--> statement-breakpoint
CREATE TABLE "devices" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" bigint NOT NULL,
	"hostname" text NOT NULL,
	"device_type" text NOT NULL,
	"status" text DEFAULT 'active' NOT NULL,
	"mgmt_address" text,
	"mgmt_port" integer,
	"driver" text DEFAULT 'simulated' NOT NULL,
	"credentials" "bytea",
	"sim_profile" jsonb,
	"serial" text,
	"model" text,
	"vendor" text,
	"firmware" text,
	"last_seen" timestamp with time zone,
	"last_probe_status" text,
	"last_error_code" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "operation_devices" (
	"operation_id" bigint NOT NULL,
	"device_id" bigint NOT NULL,
	"status" text DEFAULT 'pending' NOT NULL,
	"attempts" smallint DEFAULT 0 NOT NULL,
	"error_code" text,
	"error_message" text,
	"observed" jsonb,
	"dispatched_at" timestamp with time zone,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	CONSTRAINT "operation_devices_operation_id_device_id_pk" PRIMARY KEY("operation_id","device_id")
);
--> statement-breakpoint
CREATE TABLE "operations" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"operation_type" text NOT NULL,
	"status" text DEFAULT 'scheduled' NOT NULL,
	"priority" smallint DEFAULT 1 NOT NULL,
	"organization_ids" bigint[] NOT NULL,
	"request" jsonb NOT NULL,
	"scheduled_for" timestamp with time zone NOT NULL,
	"target_device_count" integer DEFAULT 0 NOT NULL,
	"estimated_duration_minutes" integer DEFAULT 0 NOT NULL,
	"total_devices" integer DEFAULT 0 NOT NULL,
	"processed_devices" integer DEFAULT 0 NOT NULL,
	"failed_devices" integer DEFAULT 0 NOT NULL,
	"error_summary" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"progress" smallint DEFAULT 0 NOT NULL,
	"estimated_completion" timestamp with time zone,
	"fanout_cursor" bigint,
	"fanout_done" boolean DEFAULT false NOT NULL,
	"dispatch_round" smallint DEFAULT 1 NOT NULL,
	"cancel_requested_at" timestamp with time zone,
	"deadline_at" timestamp with time zone,
	"created_by" bigint,
	"idempotency_key" text,
	"retry_of" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"started_at" timestamp with time zone,
	"finished_at" timestamp with time zone
);
--> statement-breakpoint
CREATE TABLE "organizations" (
	"id" bigint PRIMARY KEY NOT NULL,
	"name" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outbox" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"subject" text NOT NULL,
	"msg_id" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"sent_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
ALTER TABLE "devices" ADD CONSTRAINT "devices_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operation_devices" ADD CONSTRAINT "operation_devices_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_created_by_api_tokens_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "devices_org_type_status_idx" ON "devices" USING btree ("organization_id","device_type","status","id");--> statement-breakpoint
CREATE UNIQUE INDEX "devices_org_hostname_uq" ON "devices" USING btree ("organization_id","hostname");--> statement-breakpoint
CREATE INDEX "operations_due_idx" ON "operations" USING btree ("priority" DESC NULLS LAST,"scheduled_for","id") WHERE status = 'scheduled';--> statement-breakpoint
CREATE INDEX "operations_active_idx" ON "operations" USING btree ("id") WHERE status = 'in_progress';--> statement-breakpoint
CREATE INDEX "operations_created_idx" ON "operations" USING btree ("created_at" DESC NULLS LAST,"id" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "operations_orgs_gin" ON "operations" USING gin ("organization_ids");--> statement-breakpoint
CREATE UNIQUE INDEX "operations_idempotency_uq" ON "operations" USING btree ("created_by","idempotency_key") WHERE idempotency_key IS NOT NULL;--> statement-breakpoint
CREATE INDEX "outbox_unsent_idx" ON "outbox" USING btree ("id") WHERE sent_at IS NULL;