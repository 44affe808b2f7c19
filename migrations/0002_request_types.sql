-- Request types (issue 14): the type each decision routed on, the classifier's and
-- Claude's opinions, and the type a reviewer confirmed or corrected.
ALTER TABLE `decisions` ADD `request_type` text;--> statement-breakpoint
ALTER TABLE `decisions` ADD `classifier_type` text;--> statement-breakpoint
ALTER TABLE `decisions` ADD `classifier_probability` real;--> statement-breakpoint
ALTER TABLE `decisions` ADD `classifier_version` text;--> statement-breakpoint
ALTER TABLE `decisions` ADD `claude_type` text;--> statement-breakpoint
CREATE INDEX `decisions_request_type_idx` ON `decisions` (`request_type`,`decided_at`);--> statement-breakpoint
ALTER TABLE `feedback` ADD `request_type` text;
