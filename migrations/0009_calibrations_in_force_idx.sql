-- Issue 18: every decision reads the calibration in force (the newest accepted refit);
-- this index finds it without sorting every refit ever stored.
CREATE INDEX `calibrations_status_fitted_idx` ON `calibrations` (`status`,`fitted_at`);
