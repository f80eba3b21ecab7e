CREATE TABLE "host_requests" (
	"widget_id" integer NOT NULL,
	"key" text NOT NULL,
	"request_hash" text NOT NULL,
	"status" integer,
	"body" text,
	"created_at" bigint NOT NULL,
	CONSTRAINT "host_requests_widget_id_key_pk" PRIMARY KEY("widget_id","key")
);
--> statement-breakpoint
ALTER TABLE "widgets" ADD COLUMN "host_api_key_hash" text;--> statement-breakpoint
CREATE INDEX "host_requests_created" ON "host_requests" USING btree ("created_at");