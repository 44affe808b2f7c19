-- Issue 19: keep what the customer sent for the checks, the sender's authentication
-- verdict (no backscatter), a normalised sender for the caps, and server-side console sessions.
ALTER TABLE `tickets` ADD `body_unstripped` text;--> statement-breakpoint
ALTER TABLE `tickets` ADD `sender_authenticated` integer;--> statement-breakpoint
ALTER TABLE `tickets` ADD `sender_key` text;--> statement-breakpoint
-- Existing rows: lower case, and a `+tag` in the local part removed, as senderKey() does.
UPDATE `tickets` SET `sender_key` = lower(
  CASE WHEN instr(substr(`from_address`, 1, instr(`from_address`, '@') - 1), '+') > 0
    THEN substr(`from_address`, 1, instr(`from_address`, '+') - 1) || substr(`from_address`, instr(`from_address`, '@'))
    ELSE `from_address` END
);--> statement-breakpoint
CREATE INDEX `tickets_sender_key_idx` ON `tickets` (`sender_key`,`received_at`);--> statement-breakpoint
CREATE TABLE `console_sessions` (
	`id` text PRIMARY KEY NOT NULL,
	`actor` text NOT NULL,
	`token_fingerprint` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`revoked_at` integer
);
