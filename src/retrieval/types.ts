// Retrieval ports. Code depends on these; deps.ts alone picks the implementation.
import type { Chunk } from './chunk';

/** A chunk as stored, with the evidence of how each retriever ranked it. */
export type RetrievedChunk = Pick<Chunk, 'chunkId' | 'docId' | 'title' | 'headingPath' | 'url' | 'text'> & {
  /** Fused score (RRF for hybrid; normalised bm25 for lexical alone). Higher is better. */
  score: number;
  lexicalRank: number | null;
  lexicalScore: number | null;
  vectorRank: number | null;
  vectorScore: number | null;
};

export type Retrieval = {
  retriever: 'lexical' | 'hybrid';
  corpusVersion: string | null;
  chunks: RetrievedChunk[];
  /** Query terms (after stop-word removal) and how many the best chunk contains: grounding evidence. */
  queryTerms: string[];
  /** Why hybrid fell back to lexical, when it did (a reason code for the audit). */
  degraded: string | null;
};

export interface Retriever {
  readonly name: 'lexical' | 'hybrid';
  retrieve(query: string, topK: number): Promise<Retrieval>;
}
