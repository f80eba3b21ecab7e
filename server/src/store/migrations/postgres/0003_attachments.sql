CREATE TABLE "uploads" (
	"widget_id" integer NOT NULL,
	"id" text NOT NULL,
	"uploader_id" text NOT NULL,
	"name" text NOT NULL,
	"mime" text NOT NULL,
	"kind" text NOT NULL,
	"size" bigint NOT NULL,
	"width" integer,
	"height" integer,
	"thumb_size" bigint,
	"created_at" bigint NOT NULL,
	"message_id" bigint,
	"dialog_id" bigint,
	"removed_at" bigint,
	CONSTRAINT "uploads_widget_id_id_pk" PRIMARY KEY("widget_id","id"),
	CONSTRAINT "uploads_kind" CHECK ("uploads"."kind" IN ('image', 'file'))
);
--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "attachments" json;--> statement-breakpoint
ALTER TABLE "widgets" ADD COLUMN "upload_settings" json;--> statement-breakpoint
CREATE INDEX "uploads_of_uploader" ON "uploads" USING btree ("widget_id","uploader_id");--> statement-breakpoint
CREATE INDEX "uploads_of_message" ON "uploads" USING btree ("widget_id","message_id");--> statement-breakpoint
CREATE INDEX "uploads_unsent" ON "uploads" USING btree ("created_at") WHERE message_id IS NULL AND removed_at IS NULL;