CREATE TABLE "dialog_members" (
	"widget_id" integer NOT NULL,
	"dialog_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"last_read_seq" integer DEFAULT 0 NOT NULL,
	"last_delivered_seq" integer DEFAULT 0 NOT NULL,
	"role" text DEFAULT 'member' NOT NULL,
	"activity_at" bigint NOT NULL,
	"joined_at" bigint NOT NULL,
	CONSTRAINT "dialog_members_dialog_id_user_id_pk" PRIMARY KEY("dialog_id","user_id"),
	CONSTRAINT "dialog_members_role" CHECK ("dialog_members"."role" IN ('owner', 'member'))
);
--> statement-breakpoint
CREATE TABLE "dialogs" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "dialogs_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"widget_id" integer NOT NULL,
	"type" text NOT NULL,
	"direct_a" text,
	"direct_b" text,
	"created_by" text NOT NULL,
	"title" text,
	"member_count" integer DEFAULT 2 NOT NULL,
	"last_seq" integer DEFAULT 0 NOT NULL,
	"last_message_id" bigint,
	"last_event_id" bigint DEFAULT 0 NOT NULL,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL,
	CONSTRAINT "dialogs_widget_id" UNIQUE("widget_id","id"),
	CONSTRAINT "dialogs_type" CHECK ("dialogs"."type" IN ('direct', 'group'))
);
--> statement-breakpoint
CREATE TABLE "event_logs" (
	"widget_id" integer PRIMARY KEY NOT NULL,
	"head" bigint DEFAULT 0 NOT NULL,
	"pruned_through" bigint DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "events" (
	"widget_id" integer NOT NULL,
	"event_id" bigint NOT NULL,
	"dialog_id" bigint NOT NULL,
	"kind" text NOT NULL,
	"user_id" text NOT NULL,
	"seq" integer DEFAULT 0 NOT NULL,
	"message_id" bigint,
	"only_user_id" text,
	"created_at" bigint NOT NULL,
	CONSTRAINT "events_widget_id_event_id_pk" PRIMARY KEY("widget_id","event_id"),
	CONSTRAINT "events_kind" CHECK ("events"."kind" IN ('message', 'read', 'delivered', 'dialog'))
);
--> statement-breakpoint
CREATE TABLE "messages" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "messages_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"widget_id" integer NOT NULL,
	"dialog_id" bigint NOT NULL,
	"seq" integer NOT NULL,
	"sender_id" text NOT NULL,
	"text" text NOT NULL,
	"client_msg_id" text,
	"created_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "user_states" (
	"widget_id" integer NOT NULL,
	"user_id" text NOT NULL,
	"last_seen_at" bigint,
	CONSTRAINT "user_states_widget_id_user_id_pk" PRIMARY KEY("widget_id","user_id")
);
--> statement-breakpoint
CREATE TABLE "widgets" (
	"id" integer PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "widgets_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 2147483647 START WITH 1 CACHE 1),
	"dev_id" text NOT NULL,
	"name" text NOT NULL,
	"secret_key" text NOT NULL,
	"api_login" text DEFAULT '' NOT NULL,
	"api_password" text DEFAULT '' NOT NULL,
	"users_info_url" text NOT NULL,
	"allowed_origins" json DEFAULT '[]'::json NOT NULL,
	"admin_ids" json DEFAULT '[]'::json NOT NULL,
	"rate_limits" json,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "dialog_members" ADD CONSTRAINT "dialog_members_dialog" FOREIGN KEY ("widget_id","dialog_id") REFERENCES "public"."dialogs"("widget_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "dialogs" ADD CONSTRAINT "dialogs_widget_id_widgets_id_fk" FOREIGN KEY ("widget_id") REFERENCES "public"."widgets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "event_logs" ADD CONSTRAINT "event_logs_widget_id_widgets_id_fk" FOREIGN KEY ("widget_id") REFERENCES "public"."widgets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_dialog" FOREIGN KEY ("widget_id","dialog_id") REFERENCES "public"."dialogs"("widget_id","id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "user_states" ADD CONSTRAINT "user_states_widget_id_widgets_id_fk" FOREIGN KEY ("widget_id") REFERENCES "public"."widgets"("id") ON DELETE no action ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "dialog_members_list" ON "dialog_members" USING btree ("widget_id","user_id","activity_at","dialog_id");--> statement-breakpoint
CREATE INDEX "dialog_members_of_dialog" ON "dialog_members" USING btree ("widget_id","dialog_id","joined_at","user_id");--> statement-breakpoint
CREATE UNIQUE INDEX "dialogs_direct_pair" ON "dialogs" USING btree ("widget_id","direct_a","direct_b");--> statement-breakpoint
CREATE INDEX "events_of_dialog" ON "events" USING btree ("widget_id","dialog_id","event_id");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_dialog_seq" ON "messages" USING btree ("widget_id","dialog_id","seq");--> statement-breakpoint
CREATE UNIQUE INDEX "messages_client_msg_id" ON "messages" USING btree ("widget_id","sender_id","client_msg_id");--> statement-breakpoint
CREATE UNIQUE INDEX "widgets_dev_id" ON "widgets" USING btree ("dev_id");