CREATE TABLE `user_events` (
	`widget_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`event_id` integer NOT NULL,
	`body` text NOT NULL,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`widget_id`, `user_id`, `event_id`)
);
--> statement-breakpoint
CREATE INDEX `user_events_created` ON `user_events` (`created_at`);--> statement-breakpoint
CREATE TABLE `user_states` (
	`widget_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`last_event_id` integer DEFAULT 0 NOT NULL,
	`last_seen_at` integer,
	PRIMARY KEY(`widget_id`, `user_id`)
);
--> statement-breakpoint
ALTER TABLE `dialog_members` ADD `last_delivered_seq` integer DEFAULT 0 NOT NULL;