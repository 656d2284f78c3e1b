ALTER TABLE "operations" ADD COLUMN "compliance_baselines" jsonb;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "compliance_compliant" integer;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "compliance_non_compliant" integer;--> statement-breakpoint
ALTER TABLE "operations" ADD COLUMN "compliance_unknown" integer;