-- Hand-written (issue 14): the calibrated confidence records which calibration scored
-- it and the evidence it saw; refits are kept with their status, reason and held-out numbers.
ALTER TABLE `decisions` ADD `calibration_version` text;--> statement-breakpoint
ALTER TABLE `decisions` ADD `confidence_features` text;--> statement-breakpoint
ALTER TABLE `calibrations` ADD `status` text DEFAULT 'accepted' NOT NULL;--> statement-breakpoint
ALTER TABLE `calibrations` ADD `reason` text;--> statement-breakpoint
ALTER TABLE `calibrations` ADD `held_out` text;
