-- Issue 13: tickets.language was never written (every row is null). The language of a
-- ticket is the decision's (decisions.language: what Claude reported, or the offline
-- responder's guess from the text), so the column goes rather than a second copy.
ALTER TABLE `tickets` DROP COLUMN `language`;
