-- Hand-written: drizzle-kit cannot express FTS5 virtual tables.
-- Per-term document counts of chunks_fts (over every stored version, as bm25 sees
-- them): lexical search drops query terms in at least half the rows, whose idf
-- FTS5 clamps to ~0, before it ranks. A view over the index; it stores nothing.
CREATE VIRTUAL TABLE `chunks_fts_vocab` USING fts5vocab(`chunks_fts`, 'row');
