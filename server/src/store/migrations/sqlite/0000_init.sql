CREATE TABLE `dialog_members` (
	`widget_id` integer NOT NULL,
	`dialog_id` integer NOT NULL,
	`user_id` text NOT NULL,
	`last_read_seq` integer DEFAULT 0 NOT NULL,
	`activity_at` integer NOT NULL,
	`joined_at` integer NOT NULL,
	PRIMARY KEY(`dialog_id`, `user_id`),
	FOREIGN KEY (`dialog_id`) REFERENCES `dialogs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `dialog_members_list` ON `dialog_members` (`widget_id`,`user_id`,`activity_at`,`dialog_id`);--> statement-breakpoint
CREATE TABLE `dialogs` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`widget_id` integer NOT NULL,
	`type` text NOT NULL,
	`direct_key` text,
	`created_by` text NOT NULL,
	`last_seq` integer DEFAULT 0 NOT NULL,
	`last_message_id` integer,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	FOREIGN KEY (`widget_id`) REFERENCES `widgets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `dialogs_direct_key` ON `dialogs` (`widget_id`,`direct_key`);--> statement-breakpoint
CREATE TABLE `messages` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`widget_id` integer NOT NULL,
	`dialog_id` integer NOT NULL,
	`seq` integer NOT NULL,
	`sender_id` text NOT NULL,
	`text` text NOT NULL,
	`client_msg_id` text,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`dialog_id`) REFERENCES `dialogs`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `messages_dialog_seq` ON `messages` (`widget_id`,`dialog_id`,`seq`);--> statement-breakpoint
CREATE UNIQUE INDEX `messages_client_msg_id` ON `messages` (`widget_id`,`sender_id`,`client_msg_id`);--> statement-breakpoint
CREATE TABLE `widgets` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`dev_id` text NOT NULL,
	`name` text NOT NULL,
	`secret_key` text NOT NULL,
	`api_login` text DEFAULT '' NOT NULL,
	`api_password` text DEFAULT '' NOT NULL,
	`users_info_url` text NOT NULL,
	`allowed_origins` text DEFAULT '[]' NOT NULL,
	`admin_ids` text DEFAULT '[]' NOT NULL,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `widgets_dev_id` ON `widgets` (`dev_id`);