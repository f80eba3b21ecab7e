CREATE TABLE `event_logs` (
	`widget_id` integer PRIMARY KEY NOT NULL,
	`pruned_through` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `events` (
	`widget_id` integer NOT NULL,
	`event_id` integer NOT NULL,
	`dialog_id` integer NOT NULL,
	`kind` text NOT NULL,
	`user_id` text NOT NULL,
	`seq` integer DEFAULT 0 NOT NULL,
	`message_id` integer,
	`only_user_id` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`widget_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `events_of_dialog` ON `events` (`widget_id`,`dialog_id`,`event_id`);--> statement-breakpoint
-- Clients of the per-user streams resume from those streams' ids: counting everything up to the
-- highest of them as pruned (the log's head starts there) makes them refetch once.
INSERT INTO `event_logs` (`widget_id`, `pruned_through`)
  SELECT `widget_id`, max(`last_event_id`) FROM `user_states` GROUP BY `widget_id`;--> statement-breakpoint
DROP TABLE `user_events`;--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `role` text DEFAULT 'member' NOT NULL;--> statement-breakpoint
ALTER TABLE `dialogs` ADD `title` text;--> statement-breakpoint
ALTER TABLE `dialogs` ADD `member_count` integer DEFAULT 2 NOT NULL;--> statement-breakpoint
ALTER TABLE `dialogs` ADD `last_event_id` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `user_states` DROP COLUMN `last_event_id`;