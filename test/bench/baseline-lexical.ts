// Lexical search as it was before issue 18: every query term OR-ed, bm25 and the full
// row computed for every match. Kept only so the bench can time it beside the product
// in the same run (the machine is noisy; a ratio measured side by side is not).
import { sql } from 'drizzle-orm';
import type { Database } from '../../src/db/client';
import { ftsQuery, queryTerms } from '../../src/retrieval/lexical';

export async function baselineSearch(db: Database, version: string, query: string, limit: number): Promise<{ chunkId: string; bm25: number }[]> {
  const match = ftsQuery(queryTerms(query));
  if (!match) return [];
  return db.all<{ chunkId: string; bm25: number }>(sql`
    SELECT c.id AS rowid, c.version, c.chunk_id AS chunkId, c.doc_id AS docId, c.title, c.heading_path AS headingPath,
           c.url, c.text, c.token_count AS tokenCount, c.position, bm25(chunks_fts, 4.0, 2.0, 1.0) AS bm25
    FROM chunks_fts JOIN chunks c ON c.id = chunks_fts.rowid
    WHERE chunks_fts MATCH ${match} AND c.version = ${version}
    ORDER BY bm25 LIMIT ${limit}`);
}
