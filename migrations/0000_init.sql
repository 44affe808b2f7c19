CREATE TABLE `calibrations` (
	`id` text PRIMARY KEY NOT NULL,
	`params` text NOT NULL,
	`sample_size` integer NOT NULL,
	`fitted_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `chunks` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`version` text NOT NULL,
	`chunk_id` text NOT NULL,
	`doc_id` text NOT NULL,
	`title` text NOT NULL,
	`heading_path` text DEFAULT '' NOT NULL,
	`url` text,
	`text` text NOT NULL,
	`token_count` integer NOT NULL,
	`position` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `chunks_version_chunk_unique` ON `chunks` (`version`,`chunk_id`);--> statement-breakpoint
CREATE INDEX `chunks_doc_idx` ON `chunks` (`version`,`doc_id`);--> statement-breakpoint
CREATE TABLE `corpus_versions` (
	`version` text PRIMARY KEY NOT NULL,
	`status` text DEFAULT 'loading' NOT NULL,
	`active` integer DEFAULT false NOT NULL,
	`embedding_model` text,
	`dimensions` integer,
	`chunker` text NOT NULL,
	`doc_count` integer DEFAULT 0 NOT NULL,
	`chunk_count` integer DEFAULT 0 NOT NULL,
	`vectorized` integer DEFAULT false NOT NULL,
	`created_at` integer NOT NULL,
	`activated_at` integer
);
--> statement-breakpoint
CREATE TABLE `decisions` (
	`id` text PRIMARY KEY NOT NULL,
	`ticket_id` text NOT NULL,
	`outcome` text NOT NULL,
	`reasons` text NOT NULL,
	`model_confidence` real,
	`confidence` real,
	`thresholds` text NOT NULL,
	`intent` text,
	`suggested_reply` text,
	`language` text,
	`doc_sources` text DEFAULT '[]' NOT NULL,
	`retrieved` text DEFAULT '[]' NOT NULL,
	`retriever` text,
	`corpus_version` text,
	`responder` text,
	`model_calls` text DEFAULT '[]' NOT NULL,
	`tokens_in` integer DEFAULT 0 NOT NULL,
	`tokens_out` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	`latency_ms` text DEFAULT '{}' NOT NULL,
	`decided_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `decisions_ticket_unique` ON `decisions` (`ticket_id`);--> statement-breakpoint
CREATE INDEX `decisions_outcome_idx` ON `decisions` (`outcome`,`decided_at`);--> statement-breakpoint
CREATE TABLE `deliveries` (
	`id` text PRIMARY KEY NOT NULL,
	`ticket_id` text NOT NULL,
	`kind` text NOT NULL,
	`status` text DEFAULT 'queued' NOT NULL,
	`channel` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`last_error` text,
	`provider_id` text,
	`payload` text,
	`created_at` integer NOT NULL,
	`updated_at` integer NOT NULL,
	`sent_at` integer,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_ticket_kind_unique` ON `deliveries` (`ticket_id`,`kind`);--> statement-breakpoint
CREATE INDEX `deliveries_status_idx` ON `deliveries` (`status`);--> statement-breakpoint
CREATE TABLE `documents` (
	`version` text NOT NULL,
	`doc_id` text NOT NULL,
	`title` text NOT NULL,
	`url` text,
	`content_hash` text NOT NULL,
	PRIMARY KEY(`version`, `doc_id`)
);
--> statement-breakpoint
CREATE TABLE `feedback` (
	`id` text PRIMARY KEY NOT NULL,
	`ticket_id` text NOT NULL,
	`decision_id` text,
	`verdict` text NOT NULL,
	`edited_text` text,
	`actor` text NOT NULL,
	`channel` text NOT NULL,
	`created_at` integer NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`decision_id`) REFERENCES `decisions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `feedback_ticket_idx` ON `feedback` (`ticket_id`);--> statement-breakpoint
CREATE TABLE `raw_messages` (
	`ticket_id` text PRIMARY KEY NOT NULL,
	`content_type` text NOT NULL,
	`body` text NOT NULL,
	`size` integer NOT NULL,
	`truncated` integer DEFAULT false NOT NULL,
	FOREIGN KEY (`ticket_id`) REFERENCES `tickets`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `tickets` (
	`id` text PRIMARY KEY NOT NULL,
	`source` text NOT NULL,
	`message_id` text NOT NULL,
	`in_reply_to` text,
	`references` text DEFAULT '[]' NOT NULL,
	`thread_id` text NOT NULL,
	`from_address` text NOT NULL,
	`from_name` text,
	`to_address` text,
	`subject` text DEFAULT '' NOT NULL,
	`body_text` text DEFAULT '' NOT NULL,
	`headers` text DEFAULT '{}' NOT NULL,
	`attachments` text DEFAULT '[]' NOT NULL,
	`raw_ref` text,
	`language` text,
	`status` text DEFAULT 'received' NOT NULL,
	`guard_reason` text,
	`owner` text,
	`attempts` integer DEFAULT 0 NOT NULL,
	`lease_until` integer,
	`last_error` text,
	`received_at` integer NOT NULL,
	`updated_at` integer NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX `tickets_message_id_unique` ON `tickets` (`message_id`);--> statement-breakpoint
CREATE INDEX `tickets_thread_idx` ON `tickets` (`thread_id`);--> statement-breakpoint
CREATE INDEX `tickets_sender_idx` ON `tickets` (`from_address`,`received_at`);--> statement-breakpoint
CREATE INDEX `tickets_status_idx` ON `tickets` (`status`,`lease_until`);--> statement-breakpoint
CREATE TABLE `webhook_replays` (
	`provider` text NOT NULL,
	`nonce` text NOT NULL,
	`seen_at` integer NOT NULL,
	PRIMARY KEY(`provider`, `nonce`)
);
