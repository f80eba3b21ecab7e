CREATE TABLE `host_requests` (
	`widget_id` integer NOT NULL,
	`key` text NOT NULL,
	`request_hash` text NOT NULL,
	`status` integer,
	`body` text,
	`created_at` integer NOT NULL,
	PRIMARY KEY(`widget_id`, `key`)
);
--> statement-breakpoint
CREATE INDEX `host_requests_created` ON `host_requests` (`created_at`);--> statement-breakpoint
ALTER TABLE `widgets` ADD `host_api_key_hash` text;