CREATE TABLE `read_moves` (
	`widget_id` integer NOT NULL,
	`dialog_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`seq` integer NOT NULL,
	`at` integer NOT NULL,
	PRIMARY KEY(`widget_id`, `dialog_id`, `user_id`, `seq`)
);
--> statement-breakpoint
PRAGMA foreign_keys=OFF;--> statement-breakpoint
CREATE TABLE `__new_messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`widget_id` integer NOT NULL,
	`dialog_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`sender_id` text,
	`kind` text DEFAULT 'text' NOT NULL,
	`text` text NOT NULL,
	`client_msg_id` text,
	`created_at` integer NOT NULL,
	`system` text,
	FOREIGN KEY (`dialog_id`) REFERENCES `dialogs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
-- (drizzle-kit copied the new kind and system columns too, which the old table does not have: every old message is text.)
INSERT INTO `__new_messages`("id", "widget_id", "dialog_id", "seq", "sender_id", "text", "client_msg_id", "created_at") SELECT "id", "widget_id", "dialog_id", "seq", "sender_id", "text", "client_msg_id", "created_at" FROM `messages`;--> statement-breakpoint
DROP TABLE `messages`;--> statement-breakpoint
ALTER TABLE `__new_messages` RENAME TO `messages`;--> statement-breakpoint
PRAGMA foreign_keys=ON;--> statement-breakpoint
CREATE UNIQUE INDEX `messages_dialog_seq` ON `messages` (`widget_id`,`dialog_id`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_client_msg_id` ON `messages` (`widget_id`,`sender_id`,`client_msg_id`);--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `unread_count` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `joined_seq` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `joined_event` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `membership` text DEFAULT 'member' NOT NULL;--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `left_seq` integer;--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `left_event` integer;--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `left_at` integer;--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `muted` integer DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE `dialogs` ADD `avatar_url` text;--> statement-breakpoint
ALTER TABLE `dialogs` ADD `history` text DEFAULT 'from_join' NOT NULL;--> statement-breakpoint
ALTER TABLE `dialogs` ADD `version` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `widgets` ADD `max_group_members` integer;--> statement-breakpoint
-- Existing data. Every member joined when the dialog was created, at its start (joined_seq 0):
-- they keep seeing everything, as before.
UPDATE `dialog_members` SET `joined_at` = (SELECT d.`created_at` FROM `dialogs` d WHERE d.`id` = `dialog_members`.`dialog_id`);--> statement-breakpoint
-- Unread counts were the dialog's last seq minus the read position (no system messages existed).
UPDATE `dialog_members` SET `unread_count` = max(0, (SELECT d.`last_seq` FROM `dialogs` d WHERE d.`id` = `dialog_members`.`dialog_id`) - `last_read_seq`);--> statement-breakpoint
-- Direct dialogs have no roles; every group has one owner: its creator (groups were created with
-- their creator as owner), or its earliest member if the creator is not among them.
UPDATE `dialogs` SET `history` = 'all' WHERE `type` = 'direct';--> statement-breakpoint
UPDATE `dialog_members` SET `role` = 'member' WHERE `dialog_id` IN (SELECT `id` FROM `dialogs` WHERE `type` = 'direct');--> statement-breakpoint
UPDATE `dialog_members` SET `role` = 'member'
  WHERE `role` = 'owner' AND `user_id` <> (SELECT d.`created_by` FROM `dialogs` d WHERE d.`id` = `dialog_members`.`dialog_id`)
    AND EXISTS (SELECT 1 FROM `dialogs` d JOIN `dialog_members` c ON c.`dialog_id` = d.`id` AND c.`user_id` = d.`created_by` WHERE d.`id` = `dialog_members`.`dialog_id`);--> statement-breakpoint
UPDATE `dialog_members` SET `role` = 'owner'
  WHERE `dialog_id` IN (SELECT `id` FROM `dialogs` WHERE `type` = 'group')
    AND NOT EXISTS (SELECT 1 FROM `dialog_members` o WHERE o.`dialog_id` = `dialog_members`.`dialog_id` AND o.`role` = 'owner')
    AND `user_id` = coalesce(
      (SELECT d.`created_by` FROM `dialogs` d JOIN `dialog_members` c ON c.`dialog_id` = d.`id` AND c.`user_id` = d.`created_by` WHERE d.`id` = `dialog_members`.`dialog_id`),
      (SELECT e.`user_id` FROM `dialog_members` e WHERE e.`dialog_id` = `dialog_members`.`dialog_id` ORDER BY e.`joined_at`, e.`user_id` LIMIT 1));--> statement-breakpoint
-- Read-by needs when a position reached a message; reads before this version were not recorded,
-- so each member's current position counts from the time of the message it stands on.
INSERT INTO `read_moves` (`widget_id`, `dialog_id`, `user_id`, `seq`, `at`)
  SELECT m.`widget_id`, m.`dialog_id`, m.`user_id`, m.`last_read_seq`, coalesce(msg.`created_at`, m.`joined_at`)
  FROM `dialog_members` m
  LEFT JOIN `messages` msg ON msg.`widget_id` = m.`widget_id` AND msg.`dialog_id` = m.`dialog_id` AND msg.`seq` = m.`last_read_seq`
  WHERE m.`last_read_seq` > 0;