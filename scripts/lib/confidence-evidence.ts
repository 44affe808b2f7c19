// Rebuilds what the Worker's responder saw for a dumped case: the retrieved chunks
// with their text (chunk ids are `${docId}#${position}` of the shared chunker, so the
// docs re-chunked here are the chunks the Worker stored) and the query's terms. Lets
// `npm run fit:confidence -- --from-dump` recompute every feature without a Worker.
import type { FeatureChunk } from '../../src/decide/confidence-features';
import { chunkDoc, type Chunk, type ChunkerParams, type SourceDoc } from '../../src/retrieval/chunk';
import { queryTerms } from '../../src/retrieval/query-terms';
import type { FeatureRow } from './confidence-fit';

/** The Worker's defaults (src/config.ts CHUNK_TARGET_TOKENS / CHUNK_OVERLAP_TOKENS); wrangler.toml keeps them. */
export const DEFAULT_CHUNKER: ChunkerParams = { targetTokens: 250, overlapTokens: 40 };

export function chunkIndex(docs: readonly SourceDoc[], params: ChunkerParams = DEFAULT_CHUNKER): Map<string, Chunk> {
  return new Map(docs.flatMap((d) => chunkDoc(d, params)).map((c) => [c.chunkId, c]));
}

export class MissingEvidence extends Error {}

/** A dumped row's retrieved chunks with text and headings, in retrieval order, and its query terms. */
export function rowEvidence(row: FeatureRow, index: ReadonlyMap<string, Chunk>): { terms: string[]; chunks: FeatureChunk[] } {
  if (row.query === undefined || row.retrieved === undefined) throw new MissingEvidence(`${row.corpus} ${row.id}: the dump has no query or retrieved chunks; rerun npm run fit:confidence without --from-dump`);
  const chunks = row.retrieved.map((r) => {
    const stored = index.get(r.chunkId);
    if (!stored) throw new MissingEvidence(`${row.corpus} ${row.id}: chunk ${r.chunkId} is not in the docs as chunked here (chunker settings changed?)`);
    return { docId: r.docId, title: r.title, headingPath: stored.headingPath, text: stored.text, score: r.score, lexicalRank: r.lexicalRank, vectorRank: r.vectorRank };
  });
  return { terms: queryTerms(row.query), chunks };
}
