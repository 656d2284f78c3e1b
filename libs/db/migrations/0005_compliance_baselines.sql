CREATE TABLE "compliance_baselines" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"organization_id" bigint NOT NULL,
	"vendor" text NOT NULL,
	"model_pattern" text DEFAULT '*' NOT NULL,
	"min_firmware" text,
	"allowed_firmware" text[],
	"serial_required" boolean DEFAULT false NOT NULL,
	"model_must_match_inventory" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "compliance_baselines" ADD CONSTRAINT "compliance_baselines_organization_id_organizations_id_fk" FOREIGN KEY ("organization_id") REFERENCES "public"."organizations"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "compliance_baselines_org_idx" ON "compliance_baselines" USING btree ("organization_id","id");