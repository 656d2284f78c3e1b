CREATE TABLE "schema_version" (
	"id" smallint PRIMARY KEY DEFAULT 1 NOT NULL,
	"migrations" integer NOT NULL,
	"oldest_reader" integer NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "outbox" ADD COLUMN "traceparent" text;