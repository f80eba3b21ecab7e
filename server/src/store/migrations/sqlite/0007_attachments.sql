CREATE TABLE `uploads` (
	`widget_id` integer NOT NULL,
	`id` text NOT NULL,
	`uploader_id` text NOT NULL,
	`name` text NOT NULL,
	`mime` text NOT NULL,
	`kind` text NOT NULL,
	`size` integer NOT NULL,
	`width` integer,
	`height` integer,
	`thumb_size` integer,
	`created_at` integer NOT NULL,
	`message_id` integer,
	`dialog_id` integer,
	`removed_at` integer,
	PRIMARY KEY(`widget_id`, `id`)
);
--> statement-breakpoint
CREATE INDEX `uploads_of_uploader` ON `uploads` (`widget_id`,`uploader_id`);--> statement-breakpoint
CREATE INDEX `uploads_of_message` ON `uploads` (`widget_id`,`message_id`);--> statement-breakpoint
CREATE INDEX `uploads_unsent` ON `uploads` (`created_at`) WHERE message_id IS NULL AND removed_at IS NULL;--> statement-breakpoint
ALTER TABLE `messages` ADD `attachments` text;--> statement-breakpoint
ALTER TABLE `widgets` ADD `upload_settings` text;