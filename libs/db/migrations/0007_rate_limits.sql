CREATE TABLE "operation_rate_buckets" (
	"operation_id" bigint PRIMARY KEY NOT NULL,
	"next_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "organizations" ADD COLUMN "max_devices_per_second" integer;--> statement-breakpoint
ALTER TABLE "operation_rate_buckets" ADD CONSTRAINT "operation_rate_buckets_operation_id_operations_id_fk" FOREIGN KEY ("operation_id") REFERENCES "public"."operations"("id") ON DELETE cascade ON UPDATE no action;