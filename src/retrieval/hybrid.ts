// Hybrid retrieval: vector top-k (Workers AI + Vectorize, in the active version's
// namespace) and FTS5 bm25 top-k, fused by reciprocal rank fusion. When the vector
// side cannot answer, lexical results still come back, with `degraded` saying why.
import type { Database } from '../db/client';
import { chunksByIds, type CorpusVersionRow } from '../db/corpus';
import type { Embedder } from './embed';
import { queryTerms, searchActiveLexical } from './lexical';
import type { Retrieval, RetrievedChunk, Retriever } from './types';
import { VECTOR_TOP_K_LIMIT, type VectorStore } from './vector';
import { errorSummary } from '../log';

const DEGRADED = {
  vectorUnavailable: 'vector_unavailable',
  embeddingMismatch: 'embedding_mismatch',
  corpusNotVectorized: 'corpus_not_vectorized',
} as const;

export type RankedList = { retriever: 'lexical' | 'vector'; chunks: RetrievedChunk[] };

/**
 * Reciprocal rank fusion (Cormack, Clarke & Büttcher 2009): score = Σ 1/(k + rank)
 * over the retrievers that found a chunk. Ranks, not raw scores, are fused, so bm25
 * and cosine never need a common scale. Each chunk keeps every retriever's rank and
 * score as evidence.
 */
export function fuseByRrf(lists: RankedList[], k: number, topK: number): RetrievedChunk[] {
  const fused = new Map<string, RetrievedChunk>();
  for (const list of lists) {
    list.chunks.forEach((chunk, index) => {
      const rank = index + 1;
      const entry = fused.get(chunk.chunkId) ?? { ...chunk, score: 0, lexicalRank: null, lexicalScore: null, vectorRank: null, vectorScore: null };
      entry.score += 1 / (k + rank);
      if (list.retriever === 'lexical') Object.assign(entry, { lexicalRank: rank, lexicalScore: chunk.lexicalScore });
      else Object.assign(entry, { vectorRank: rank, vectorScore: chunk.vectorScore });
      fused.set(chunk.chunkId, entry);
    });
  }
  const bestRank = (c: RetrievedChunk) => Math.min(c.lexicalRank ?? Infinity, c.vectorRank ?? Infinity);
  return [...fused.values()].sort((a, b) => b.score - a.score || bestRank(a) - bestRank(b) || a.chunkId.localeCompare(b.chunkId)).slice(0, topK);
}

export type EmbeddingSettings = { model: string; dimensions: number };

/** The configured embedding differs from the one the active corpus was built with: its vectors are another space. */
export function embeddingMismatch(active: Pick<CorpusVersionRow, 'embeddingModel' | 'dimensions'>, configured: EmbeddingSettings): boolean {
  return active.embeddingModel !== configured.model || active.dimensions !== configured.dimensions;
}

export type HybridOptions = {
  /** null when AI or VECTORIZE is not usable: every query then degrades to lexical. */
  vectors: { embedder: Embedder; store: VectorStore } | null;
  embedding: EmbeddingSettings;
  rrfK: number;
  /** `auto` treats a corpus uploaded without vectors as lexical by design; `hybrid` reports it as degraded. */
  mode: 'auto' | 'hybrid';
  log?: (event: Record<string, unknown>) => void;
};

export class HybridRetriever implements Retriever {
  readonly name = 'hybrid' as const;
  constructor(
    private readonly db: Database,
    private readonly options: HybridOptions,
  ) {}

  async retrieve(query: string, topK: number): Promise<Retrieval> {
    const candidates = Math.max(topK, VECTOR_TOP_K_LIMIT);
    const lexical = await searchActiveLexical(this.db, query, candidates);
    if (!lexical) return { retriever: 'lexical', corpusVersion: null, chunks: [], queryTerms: queryTerms(query), degraded: null };
    const { active } = lexical;
    const lexicalOnly = (degraded: string | null): Retrieval => ({
      retriever: 'lexical',
      corpusVersion: active.version,
      chunks: lexical.chunks.slice(0, topK),
      queryTerms: lexical.terms,
      degraded,
    });

    const plan = this.plan(active);
    if (!plan.vectors) return lexicalOnly(plan.degraded);
    let vector: RetrievedChunk[];
    try {
      vector = await this.vectorSearch(active.version, query, candidates);
    } catch (error) {
      this.options.log?.({ cause: 'vector_search_failed', version: active.version, error: errorSummary(error) });
      return lexicalOnly(DEGRADED.vectorUnavailable);
    }
    return {
      retriever: 'hybrid',
      corpusVersion: active.version,
      chunks: fuseByRrf(
        [
          { retriever: 'lexical', chunks: lexical.chunks },
          { retriever: 'vector', chunks: vector },
        ],
        this.options.rrfK,
        topK,
      ),
      queryTerms: lexical.terms,
      degraded: null,
    };
  }

  /** Whether the version can be searched by vector; if not, the degraded reason (null: lexical by design, nothing lost). */
  private plan(active: CorpusVersionRow): { vectors: true } | { vectors: false; degraded: string | null } {
    if (!active.vectorized) return { vectors: false, degraded: this.options.mode === 'auto' ? null : DEGRADED.corpusNotVectorized };
    if (embeddingMismatch(active, this.options.embedding)) return { vectors: false, degraded: DEGRADED.embeddingMismatch };
    if (!this.options.vectors) return { vectors: false, degraded: DEGRADED.vectorUnavailable };
    return { vectors: true };
  }

  private async vectorSearch(version: string, query: string, limit: number): Promise<RetrievedChunk[]> {
    const { embedder, store } = this.options.vectors!;
    const [values] = await embedder.embed([query]);
    const hits = await store.query(version, values!, limit);
    const rows = new Map((await chunksByIds(this.db, version, hits.map((h) => h.chunkId))).map((row) => [row.chunkId, row]));
    return hits.flatMap((hit) => {
      const row = rows.get(hit.chunkId);
      if (!row) return [];
      return [
        {
          chunkId: row.chunkId,
          docId: row.docId,
          title: row.title,
          headingPath: row.headingPath,
          url: row.url,
          text: row.text,
          score: hit.score,
          lexicalRank: null,
          lexicalScore: null,
          vectorRank: null,
          vectorScore: hit.score,
        },
      ];
    });
  }
}
