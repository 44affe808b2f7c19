-- Hand-written: drizzle-kit cannot express FTS5 virtual tables.
-- External-content FTS5 index over chunks (title, heading path, text); the
-- porter stemmer lets "resetting" match "reset". Triggers keep it in sync.
CREATE VIRTUAL TABLE `chunks_fts` USING fts5(
  `title`, `heading_path`, `text`,
  content='chunks', content_rowid='id',
  tokenize='porter unicode61 remove_diacritics 2'
);
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_ai` AFTER INSERT ON `chunks` BEGIN
  INSERT INTO `chunks_fts`(rowid, `title`, `heading_path`, `text`) VALUES (new.id, new.title, new.heading_path, new.text);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_ad` AFTER DELETE ON `chunks` BEGIN
  INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `title`, `heading_path`, `text`) VALUES ('delete', old.id, old.title, old.heading_path, old.text);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_au` AFTER UPDATE ON `chunks` BEGIN
  INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `title`, `heading_path`, `text`) VALUES ('delete', old.id, old.title, old.heading_path, old.text);
  INSERT INTO `chunks_fts`(rowid, `title`, `heading_path`, `text`) VALUES (new.id, new.title, new.heading_path, new.text);
END;
