CREATE TABLE "read_moves" (
	"widget_id" integer NOT NULL,
	"dialog_id" bigint NOT NULL,
	"user_id" text NOT NULL,
	"seq" integer NOT NULL,
	"at" bigint NOT NULL,
	CONSTRAINT "read_moves_widget_id_dialog_id_user_id_seq_pk" PRIMARY KEY("widget_id","dialog_id","user_id","seq")
);
--> statement-breakpoint
ALTER TABLE "dialog_members" DROP CONSTRAINT "dialog_members_role";--> statement-breakpoint
ALTER TABLE "messages" ALTER COLUMN "sender_id" DROP NOT NULL;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD COLUMN "unread_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD COLUMN "joined_seq" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD COLUMN "joined_event" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD COLUMN "membership" text DEFAULT 'member' NOT NULL;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD COLUMN "left_seq" integer;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD COLUMN "left_event" bigint;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD COLUMN "left_at" bigint;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD COLUMN "muted" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "dialogs" ADD COLUMN "avatar_url" text;--> statement-breakpoint
ALTER TABLE "dialogs" ADD COLUMN "history" text DEFAULT 'from_join' NOT NULL;--> statement-breakpoint
ALTER TABLE "dialogs" ADD COLUMN "version" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "kind" text DEFAULT 'text' NOT NULL;--> statement-breakpoint
ALTER TABLE "messages" ADD COLUMN "system" json;--> statement-breakpoint
ALTER TABLE "widgets" ADD COLUMN "max_group_members" integer;--> statement-breakpoint
-- Existing data. Every member joined when the dialog was created, at its start (joined_seq 0):
-- they keep seeing everything, as before.
UPDATE "dialog_members" m SET "joined_at" = d."created_at" FROM "dialogs" d WHERE d."widget_id" = m."widget_id" AND d."id" = m."dialog_id";--> statement-breakpoint
-- Unread counts were the dialog's last seq minus the read position (no system messages existed).
UPDATE "dialog_members" m SET "unread_count" = greatest(0, d."last_seq" - m."last_read_seq") FROM "dialogs" d WHERE d."widget_id" = m."widget_id" AND d."id" = m."dialog_id";--> statement-breakpoint
-- Direct dialogs have no roles; every group has one owner: its creator (groups were created with
-- their creator as owner), or its earliest member if the creator is not among them.
UPDATE "dialogs" SET "history" = 'all' WHERE "type" = 'direct';--> statement-breakpoint
UPDATE "dialog_members" m SET "role" = 'member' FROM "dialogs" d WHERE d."widget_id" = m."widget_id" AND d."id" = m."dialog_id" AND d."type" = 'direct';--> statement-breakpoint
UPDATE "dialog_members" m SET "role" = CASE WHEN m."user_id" = o."owner_id" THEN 'owner' ELSE 'member' END
  FROM (
    SELECT d."widget_id", d."id", coalesce(
      (SELECT c."user_id" FROM "dialog_members" c WHERE c."widget_id" = d."widget_id" AND c."dialog_id" = d."id" AND c."user_id" = d."created_by"),
      (SELECT e."user_id" FROM "dialog_members" e WHERE e."widget_id" = d."widget_id" AND e."dialog_id" = d."id" ORDER BY e."joined_at", e."user_id" LIMIT 1)
    ) AS "owner_id"
    FROM "dialogs" d WHERE d."type" = 'group'
  ) o
  WHERE o."widget_id" = m."widget_id" AND o."id" = m."dialog_id" AND (m."role" = 'owner' OR m."user_id" = o."owner_id");--> statement-breakpoint
-- Read-by needs when a position reached a message; reads before this version were not recorded,
-- so each member's current position counts from the time of the message it stands on.
INSERT INTO "read_moves" ("widget_id", "dialog_id", "user_id", "seq", "at")
  SELECT m."widget_id", m."dialog_id", m."user_id", m."last_read_seq", coalesce(msg."created_at", m."joined_at")
  FROM "dialog_members" m
  LEFT JOIN "messages" msg ON msg."widget_id" = m."widget_id" AND msg."dialog_id" = m."dialog_id" AND msg."seq" = m."last_read_seq"
  WHERE m."last_read_seq" > 0;--> statement-breakpoint
ALTER TABLE "dialog_members" ADD CONSTRAINT "dialog_members_membership" CHECK ("dialog_members"."membership" IN ('member', 'left', 'removed'));--> statement-breakpoint
ALTER TABLE "dialog_members" ADD CONSTRAINT "dialog_members_role" CHECK ("dialog_members"."role" IN ('owner', 'admin', 'member'));--> statement-breakpoint
ALTER TABLE "dialogs" ADD CONSTRAINT "dialogs_history" CHECK ("dialogs"."history" IN ('from_join', 'all'));--> statement-breakpoint
ALTER TABLE "messages" ADD CONSTRAINT "messages_kind" CHECK ("messages"."kind" IN ('text', 'system'));