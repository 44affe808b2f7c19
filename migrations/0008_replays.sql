-- Issue 16 item 5: a replayed past ticket keeps the reply a person actually sent,
-- so the console can show deflect's draft beside it. Delivery kinds `handoff` and
-- `handoff_webhook` and ticket source `replay` need no migration: those columns
-- are text without a CHECK constraint (0000_init.sql).
CREATE TABLE `replays` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`history_id` text NOT NULL,
	`human_reply` text NOT NULL,
	`labelled_type` text,
	`replayed_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
