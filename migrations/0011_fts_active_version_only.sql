-- Hand-written: drizzle-kit cannot express FTS5 virtual tables.
-- The FTS5 index holds the active corpus version's chunks only. bm25 and the
-- frequent-word filter count every row of the index, so the rows of versions kept
-- for rollback (or of the sample corpus a team replaced) moved every score, and the
-- calibrated confidence with it: Chairly's help center uploaded over the sample gave
-- 6 of its 50 decisions another outcome than the same upload into an empty database.
-- Activation moves a version's rows in and the previous one's out, in one batch
-- (src/db/corpus.ts); these triggers only keep the index in step when an active
-- version's rows change, which uploads never do (complete versions are immutable).
DROP TRIGGER `chunks_fts_ai`;
--> statement-breakpoint
DROP TRIGGER `chunks_fts_ad`;
--> statement-breakpoint
DROP TRIGGER `chunks_fts_au`;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_ai` AFTER INSERT ON `chunks`
WHEN new.version IN (SELECT version FROM corpus_versions WHERE active = 1) BEGIN
  INSERT INTO `chunks_fts`(rowid, `title`, `heading_path`, `text`) VALUES (new.id, new.title, new.heading_path, new.text);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_ad` AFTER DELETE ON `chunks`
WHEN old.version IN (SELECT version FROM corpus_versions WHERE active = 1) BEGIN
  INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `title`, `heading_path`, `text`) VALUES ('delete', old.id, old.title, old.heading_path, old.text);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_au` AFTER UPDATE ON `chunks` BEGIN
  INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `title`, `heading_path`, `text`)
    SELECT 'delete', old.id, old.title, old.heading_path, old.text WHERE old.version IN (SELECT version FROM corpus_versions WHERE active = 1);
  INSERT INTO `chunks_fts`(rowid, `title`, `heading_path`, `text`)
    SELECT new.id, new.title, new.heading_path, new.text WHERE new.version IN (SELECT version FROM corpus_versions WHERE active = 1);
END;
--> statement-breakpoint
INSERT INTO `chunks_fts`(`chunks_fts`) VALUES ('delete-all');
--> statement-breakpoint
INSERT INTO `chunks_fts`(rowid, `title`, `heading_path`, `text`)
  SELECT id, title, heading_path, text FROM `chunks` WHERE version IN (SELECT version FROM corpus_versions WHERE active = 1);
