-- Hand-written (issue 16): rollout modes per support address and request type, who
-- changed them, and on every decision the mode it ran in and what the policy would have done.
CREATE TABLE `rollout_modes` (
	`address` text NOT NULL,
	`request_type` text NOT NULL,
	`mode` text NOT NULL,
	`updated_by` text NOT NULL,
	`updated_at` integer NOT NULL,
	PRIMARY KEY(`address`, `request_type`)
);--> statement-breakpoint
CREATE TABLE `rollout_mode_changes` (
	`id` text PRIMARY KEY NOT NULL,
	`address` text NOT NULL,
	`request_type` text NOT NULL,
	`from_mode` text,
	`to_mode` text,
	`actor` text NOT NULL,
	`changed_at` integer NOT NULL
);--> statement-breakpoint
CREATE INDEX `rollout_mode_changes_at_idx` ON `rollout_mode_changes` (`changed_at`);--> statement-breakpoint
ALTER TABLE `decisions` ADD `mode` text;--> statement-breakpoint
ALTER TABLE `decisions` ADD `policy_outcome` text;--> statement-breakpoint
-- A follow-up's verdict on the earlier reply is recorded once, whatever the retries.
ALTER TABLE `feedback` ADD `source_ticket_id` text;--> statement-breakpoint
CREATE UNIQUE INDEX `feedback_source_ticket_unique` ON `feedback` (`source_ticket_id`);
