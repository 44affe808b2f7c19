-- Hand-written: drizzle-kit cannot express FTS5 virtual tables.
-- The FTS5 index (active version only since 0011) follows `corpus_versions.active`,
-- whoever sets it: the flag's trigger empties the index ('delete-all' needs no row
-- values, so it is safe whatever the index held) and indexes the version being
-- activated, in the flipping statement's transaction. Moving rows from the Worker,
-- as 0011 left it, trusted the flag: a Worker from before 0011 flipping it without
-- indexing, or an FTS5 'rebuild', left an index the next activation's 'delete' of
-- unindexed rows turned into SQLITE_CORRUPT_VTAB. Setting the flag on the active
-- version again re-indexes it, which repairs an index that drifted.
DROP TRIGGER IF EXISTS `corpus_versions_fts`;
--> statement-breakpoint
CREATE TRIGGER `corpus_versions_fts` AFTER UPDATE OF `active` ON `corpus_versions`
WHEN new.active = 1 BEGIN
  INSERT INTO `chunks_fts`(`chunks_fts`) VALUES ('delete-all');
  INSERT INTO `chunks_fts`(rowid, `title`, `heading_path`, `text`) SELECT id, title, heading_path, text FROM `chunks` WHERE version = new.version;
END;
--> statement-breakpoint
INSERT INTO `chunks_fts`(`chunks_fts`) VALUES ('delete-all');
--> statement-breakpoint
INSERT INTO `chunks_fts`(rowid, `title`, `heading_path`, `text`)
  SELECT id, title, heading_path, text FROM `chunks` WHERE version IN (SELECT version FROM corpus_versions WHERE active = 1);
