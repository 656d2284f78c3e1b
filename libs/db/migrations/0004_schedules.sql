CREATE TABLE "schedules" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_ids" bigint[] NOT NULL,
	"request" jsonb NOT NULL,
	"cron" text NOT NULL,
	"timezone" text NOT NULL,
	"enabled" boolean DEFAULT true NOT NULL,
	"starts_at" timestamp with time zone,
	"ends_at" timestamp with time zone,
	"missed_runs" text DEFAULT 'skip' NOT NULL,
	"overlap" text DEFAULT 'skip' NOT NULL,
	"next_fire_at" timestamp with time zone,
	"last_fired_at" timestamp with time zone,
	"created_by" bigint,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "schedule_id" bigint;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "schedule_fire_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "schedules" ADD CONSTRAINT "schedules_created_by_api_tokens_id_fk" FOREIGN KEY ("created_by") REFERENCES "public"."api_tokens"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "schedules_due_idx" ON "schedules" USING btree ("next_fire_at") WHERE enabled AND next_fire_at IS NOT NULL;--> statement-breakpoint
CREATE INDEX "schedules_orgs_gin" ON "schedules" USING gin ("organization_ids");--> statement-breakpoint
ALTER TABLE "operations" ADD CONSTRAINT "operations_schedule_id_schedules_id_fk" FOREIGN KEY ("schedule_id") REFERENCES "public"."schedules"("id") ON DELETE set null ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "operations_schedule_firing_uq" ON "operations" USING btree ("schedule_id","schedule_fire_at") WHERE schedule_id IS NOT NULL;