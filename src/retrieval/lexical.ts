// Lexical retrieval over D1 FTS5 (bm25). The local default, and one half of hybrid.
import type { Database } from '../db/client';
import { cachedActiveCorpusVersion, exclusiveRowRange, freshActiveCorpusVersion, frequentTerms, searchChunks, type CorpusVersionRow, type LexicalHit } from '../db/corpus';
import type { Retrieval, RetrievedChunk, Retriever } from './types';

import { queryTerms } from './query-terms';
import { withSynonyms } from './synonyms';

export { queryTerms } from './query-terms';

/**
 * An FTS5 MATCH expression that cannot be FTS5 syntax: every word is a double-quoted
 * string (quotes are impossible: terms are letters and digits only), OR-ed so that any
 * matching word counts and bm25 ranks by how many and how rare.
 */
function matchOf(words: readonly string[]): string | null {
  if (words.length === 0) return null;
  return words.map((w) => `"${w}"`).join(' OR ');
}

/** The MATCH expression for a ticket's terms: each term OR-ed with its synonyms (synonyms.ts). */
export function ftsQuery(terms: string[]): string | null {
  return matchOf(withSynonyms(terms));
}

function toRetrieved(hit: LexicalHit, rank: number, best: number): RetrievedChunk {
  const lexicalScore = -hit.bm25;
  return {
    chunkId: hit.chunkId,
    docId: hit.docId,
    title: hit.title,
    headingPath: hit.headingPath,
    url: hit.url,
    text: hit.text,
    score: best > 0 ? lexicalScore / best : 0,
    lexicalRank: rank,
    lexicalScore,
    vectorRank: null,
    vectorScore: null,
  };
}

/**
 * bm25 top-k of one corpus version; an empty list (never an error) when the text has
 * no searchable word. The terms are widened with their synonyms first; then words in
 * at least half the rows are left out of the search: their score is ~1e-6 and they
 * match most of the index. Only if the rarer words find fewer than `limit` rows does
 * the full query run, so the rows that match nothing but frequent words still fill
 * the list in the same order as before.
 */
export async function searchLexical(
  db: Database,
  active: Pick<CorpusVersionRow, 'version' | 'createdAt'>,
  query: string,
  limit: number,
): Promise<{ terms: string[]; chunks: RetrievedChunk[] }> {
  const terms = queryTerms(query);
  if (terms.length === 0) return { terms, chunks: [] };
  const words = withSynonyms(terms);
  const [frequent, range] = await Promise.all([frequentTerms(db, words, active.version), exclusiveRowRange(db, active)]);
  const rare = words.filter((w) => !frequent.has(w));
  let hits = rare.length > 0 ? await searchChunks(db, active.version, matchOf(rare)!, limit, range) : [];
  if (hits.length < limit && frequent.size > 0) hits = await searchChunks(db, active.version, matchOf(words)!, limit, range);
  const best = hits.length > 0 ? -hits[0]!.bm25 : 0;
  return { terms, chunks: hits.map((hit, i) => toRetrieved(hit, i + 1, best)) };
}

/**
 * The active version's lexical top-k. The index holds the active version only, so a
 * version another isolate activated within the cache's 10 s has replaced the cached
 * one's rows and the cached one finds nothing: a search without hits re-reads the
 * active version once and, if it changed, searches that one.
 */
export async function searchActiveLexical(
  db: Database,
  query: string,
  limit: number,
): Promise<{ active: CorpusVersionRow; terms: string[]; chunks: RetrievedChunk[] } | null> {
  const cached = await cachedActiveCorpusVersion(db);
  if (!cached) return null;
  const found = await searchLexical(db, cached, query, limit);
  if (found.chunks.length > 0 || found.terms.length === 0) return { active: cached, ...found };
  const fresh = await freshActiveCorpusVersion(db);
  if (!fresh || fresh.version === cached.version) return { active: cached, ...found };
  return { active: fresh, ...(await searchLexical(db, fresh, query, limit)) };
}

export class LexicalRetriever implements Retriever {
  readonly name = 'lexical' as const;
  constructor(private readonly db: Database) {}

  async retrieve(query: string, topK: number): Promise<Retrieval> {
    const found = await searchActiveLexical(this.db, query, topK);
    if (!found) return { retriever: 'lexical', corpusVersion: null, chunks: [], queryTerms: queryTerms(query), degraded: null };
    return { retriever: 'lexical', corpusVersion: found.active.version, chunks: found.chunks, queryTerms: found.terms, degraded: null };
  }
}
